"""The playground's "close the day now": today's payouts and the analytics post, at once, and only once."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.playground.workspace import ANALYTICS, GENERAL, dm_channel
from tests.e2e.harness import System, eventually, playground_env
from tests.fakes.playground import PlaygroundClient

WORKERS = ["UKIWI", "UMANGO", "UPEPPER", "USKY"]


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[PlaygroundClient]:
    running = System(playground_env(tmp_path / "var"), tmp_path)
    running.start(distributed=False)
    yield PlaygroundClient(f"http://127.0.0.1:{running.port}/")
    running.stop()


def bot_replies(page: PlaygroundClient) -> list[str]:
    return [m["text"] for m in page.messages("UKIWI", GENERAL) if m["author"] != "UKIWI"]


def create_task(page: PlaygroundClient) -> bool:
    """One attempt: wait for this attempt's own reply, so a retry never follows a success still on its way."""
    replies_before = len(bot_replies(page))
    status, _ = page.send("UKIWI", GENERAL, "/task new [UP-42] Fix the beak")
    assert status == 200
    replies = eventually(lambda: bot_replies(page), lambda now: len(now) > replies_before)
    return "Created" in replies[replies_before]


def done_button_message(page: PlaygroundClient) -> list[tuple[str, dict[str, Any]]]:
    """The assignee and their DM with the Done button, once it has arrived."""
    return [
        (user, message)
        for user in WORKERS
        for message in page.messages(user, dm_channel(user))
        if "task_done" in json.dumps(message.get("blocks", []))
    ]


def test_closing_the_day_now_pays_out_and_posts_the_analytics_once(playground: PlaygroundClient) -> None:
    eventually(lambda: playground.roles().get("UMAX"), lambda role: role == "manager")
    eventually(lambda: create_task(playground), bool)  # the workers may still be on their way to the tasks domain
    [(assignee, dm)] = eventually(lambda: done_button_message(playground), bool)
    status, clicked = playground.click(assignee, dm_channel(assignee), dm, "task_done")
    assert status == 200, clicked
    playground.wait_for("chat.update")
    eventually(lambda: len(playground.calls_to("views.publish")), lambda n: n > 0)

    status, closed = playground.post("playground/close-day", {"user": "UACE"})
    assert status == 200
    assert closed["summary"].startswith("closed ")
    payout = playground.wait_for(
        "chat.postMessage",
        where=lambda c: c.args.get("channel") == assignee and "paid" in str(c.args.get("text", "")).lower(),
    )
    assert payout
    post = playground.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == ANALYTICS)
    assert len(post) == 1
    (upload,) = playground.calls_to("files.completeUploadExternal")
    assert "channel_id" not in upload.args  # the chart is uploaded privately, and shown by the one message
    (shown,) = playground.messages("UACE", ANALYTICS)
    (image,) = [block for block in shown["blocks"] if block["type"] == "image"]
    assert image["slack_file"] == {"id": upload.args["files"][0]["id"]} and not shown["files"]
    with urllib.request.urlopen(f"{playground.base_url}playground/files/{image['slack_file']['id']}") as served:
        assert served.read().startswith(b"\x89PNG")  # what the page's image block shows

    status, again = playground.post("playground/close-day", {"user": "UACE"})
    assert status == 200
    assert again["summary"] == "Nothing to close: today is already closed."
    assert len(playground.calls_to("files.completeUploadExternal")) == 1
    assert len([c for c in playground.calls_to("chat.postMessage") if c.args.get("channel") == ANALYTICS]) == 1
