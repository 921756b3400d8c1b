"""Slack stays in bot/: no domain names where a request came from or how to answer it (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

DOMAINS = Path(__file__).resolve().parents[2] / "domains"
SLACK_WORDS = re.compile(r"response_url|channel_id|message_ts|shown_in")


def test_no_module_under_domains_names_slacks_reply_addresses() -> None:
    sources = sorted(DOMAINS.rglob("*.py"))
    assert sources
    named = [
        f"{path.relative_to(DOMAINS.parent)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SLACK_WORDS.search(line)
    ]
    assert named == []
