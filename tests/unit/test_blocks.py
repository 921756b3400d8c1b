"""Block Kit rendering: user text cannot ping or format, and everything stays within Slack's limits."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.blocks import DONE_ACTION, assigned_dm, audit_line, balance_view, escape, task_label
from bot.home_view import HomeData, home_view, task_list_page
from domains.accounting.queries import AuditLine
from domains.identity.model import UserView
from domains.tasks.model import MAX_DESCRIPTION, MAX_TITLE, TaskView

HOSTILE = "<!channel> <@U1> <https://evil|click> & *bold* _it_ ~gone~ `code`"


def task(n: int = 0, title: str = "Fix the beak", description: str = "") -> TaskView:
    return TaskView(uuid.UUID(int=n + 1), title, "UP-42", description, "open", "UADMIN", "U1")


def test_escape_leaves_no_mention_link_or_formatting_marker() -> None:
    shown = escape(HOSTILE)
    assert not any(marker in shown for marker in "<>*_~`")
    assert shown.startswith("&lt;!channel&gt; &lt;@U1&gt;") and "&amp;" in shown
    assert task_label(HOSTILE, None).count("*") == 2  # only the bold we add around the title


def test_a_dm_with_hostile_text_keeps_only_our_own_formatting() -> None:
    blocks = json.dumps(assigned_dm(task(title=HOSTILE, description=HOSTILE)), ensure_ascii=False)
    assert "<!channel>" not in blocks and "<https://evil" not in blocks and "*bold*" not in blocks


def test_the_longest_texts_stay_within_slacks_limits() -> None:
    longest = task(title="T" * MAX_TITLE, description="d\n" * (MAX_DESCRIPTION // 2))
    for block in assigned_dm(longest):
        assert len(block.get("text", {}).get("text", "")) <= 3000


def test_a_long_list_is_paged_within_fifty_blocks() -> None:
    page = task_list_page([task(n) for n in range(20)], total=45, offset=20)
    assert len(page) <= 50
    assert sum(1 for b in page if b["type"] == "actions" and b["elements"][0]["action_id"] == DONE_ACTION) == 20
    assert [e["text"]["text"] for b in page if b.get("block_id") == "pages" for e in b["elements"]] == [
        "Previous",
        "Next",
    ]


def test_a_full_home_stays_within_a_hundred_blocks() -> None:
    actor = UserView("U1", "Alice", None, None, "manager", True)
    line = AuditLine("withdraw", -1500, "Fix the beak", "UP-42", datetime(2026, 1, 1, tzinfo=UTC))
    done = [task(n) for n in range(5)]
    data = HomeData(actor, [task(n) for n in range(20)], 500, done, -1500, [line] * 300, ZoneInfo("UTC"))
    view = home_view(data).to_dict()
    assert len(view["blocks"]) <= 100
    assert "and 480 more" in json.dumps(view)


def test_a_long_days_balance_shows_the_last_lines_within_fifty_blocks() -> None:
    line = AuditLine("deposit", 2500, "Fix the beak", None, datetime(2026, 1, 1, tzinfo=UTC))
    assert len(balance_view(2500, [line] * 200, ZoneInfo("UTC"))) <= 50


def test_audit_lines_show_the_company_s_local_time() -> None:
    line = AuditLine("deposit", 2500, "Fix the beak", None, datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    naive_from_sqlite = AuditLine("deposit", 2500, "Fix the beak", None, datetime(2026, 7, 1, 22, 30))
    assert audit_line(line, ZoneInfo("Europe/Berlin")).startswith("`00:30`")
    assert audit_line(naive_from_sqlite, ZoneInfo("America/New_York")).startswith("`18:30`")
