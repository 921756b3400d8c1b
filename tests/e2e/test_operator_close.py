"""An operator's `ates close-day` after midnight is followed by the analytics channel's post, with its chart, on the
services runtime (every Procfile group as a process, real PostgreSQL and Redis): the post follows the close's
event, whoever closed the day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import SIGNING_SECRET, System, eventually, services_env
from tests.e2e.test_task_life import button_value, count_workers
from tests.fakes.slack_api import Call, FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.integration.cli import ates

BEFORE_MIDNIGHT = datetime(2026, 11, 20, 23, 50, tzinfo=UTC)  # the running processes' clocks start here
AFTER_MIDNIGHT = datetime(2026, 11, 21, 0, 20, tzinfo=UTC)  # the operator's


def in_channel(channel: str) -> Any:
    return lambda call: call.args.get("channel") == channel


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.args["blocks"]
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks)


def finish_a_task(sender: SlackSender, slack: FakeSlack) -> None:
    """The admin makes a task in Slack and its assignee clicks Done, before midnight."""
    sender.command("UADMIN", "/task", "new [UP-7] Polish the perch", slack.response_url("create"))
    dm = slack.wait_for("chat.postMessage", timeout=60)[0]  # to the assignee's user id: Slack posts it in their DM
    assignee = dm.args["channel"].removeprefix("D")
    channel = f"D{assignee}"
    [posted] = slack.store.in_channel(channel)
    sender.click(assignee, "task_done", button_value(dm), slack.response_url("done"), {"ts": posted["ts"]}, channel)
    slack.wait_for("chat.update", where=lambda c: "Done, +$" in json.dumps(c.args["blocks"]), timeout=60)


def test_an_operators_close_after_midnight_is_posted_with_its_chart(
    slack: FakeSlack, tmp_path: Path, pg_url: str, redis_url: str, stream_prefix: str
) -> None:
    env = services_env(
        slack.api_url,
        pg_url,
        redis_url,
        stream_prefix,
        tmp_path / "var",
        ATES_ANALYTICS_CHANNEL="CANALYTICS",
        ATES_CLOCK_START=BEFORE_MIDNIGHT.isoformat(),
    )
    running = System(env, tmp_path)
    running.start(distributed=True)
    try:
        engine = make_engine(pg_url)
        sessions = make_session_factory(engine)
        eventually(lambda: count_workers(sessions), lambda n: n == 2)  # synced from Slack
        engine.dispose()
        finish_a_task(SlackSender(running.url, SIGNING_SECRET), slack)

        closed = ates({**env, "ATES_CLOCK_START": AFTER_MIDNIGHT.isoformat()}, "close-day")
        assert closed.returncode == 0 and "closed 2026-11-20: paid 1 worker $" in closed.stdout, closed.stderr
        [post] = slack.wait_for("chat.postMessage", where=in_channel("CANALYTICS"), timeout=60)
        assert "Analytics for 2026-11-20" in post.args["text"] and "Polish the perch (UP-7)" in post.args["text"]
        assert "0 workers in the negative" in post.args["text"] and "20 Nov: " in post.args["text"]
        [image] = [block for block in blocks_of(post) if block["type"] == "image"]
        assert slack.uploads[image["slack_file"]["id"]].startswith(b"\x89PNG")
        assert [call.args["file"] for call in slack.calls_to("files.info")][-1] == image["slack_file"]["id"]

        again = ates({**env, "ATES_CLOCK_START": AFTER_MIDNIGHT.isoformat()}, "close-day")
        assert again.returncode == 0 and "nothing to close" in again.stdout
        assert len(slack.calls_to("files.getUploadURLExternal")) == 1
    finally:
        running.stop()
