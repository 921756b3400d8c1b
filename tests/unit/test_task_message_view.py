"""What a task message shows, from the truth it is given: verbatim titles, money, Slack's 50-block limit."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

from bot.message_tables import TaskFacts
from bot.task_message_view import SHOWN, MessageView, Row, render
from domains.accounting.queries import TaskPrice
from domains.tasks.model import TaskView

HOSTILE = "<!channel> *x* _y_ ~z~ `c` <@U123> https://example.com/a_b_c & 🦜 שלום"


def row(title: str = "Fix the beak", holder: str = "U1", status: str = "open", is_new: bool = True) -> Row:
    task_id = uuid.uuid4()
    task = TaskView(task_id, title, "UP-42", "", status, "UAUTHOR", holder)  # type: ignore[arg-type]
    return Row(str(task_id), is_new, task, TaskPrice(1234, 2345), None, None)


def view(rows: list[Row], total: int | None = None, kind: str = "shuffle") -> MessageView:
    count = total if total is not None else len(rows)
    new = sum(r.is_new for r in rows)
    return MessageView(kind, "U1", "UMAX", rows, count, new, 1234 * count, True)


def test_a_title_is_shown_verbatim_in_plain_text_escaping_only_what_slack_requires() -> None:
    blocks, text = render(view([row(HOSTILE)], kind="assigned"))
    [line] = [b["text"] for b in blocks if b.get("accessory")]
    assert line == {
        "type": "plain_text",
        "emoji": False,
        "text": HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        + " (UP-42) · fee $12.34 charged · reward $23.45 · ref "
        + blocks[1]["block_id"].removeprefix("task:")[:8],
    }
    assert "channel" not in text and "*x*" not in text  # the notification carries no user text
    [menu] = [b for b in blocks if b["type"] == "actions"]  # its holder can still open Edit and Delete from it
    assert [o["value"].split(":")[0] for o in menu["elements"][0]["options"]] == ["edit", "delete"]


def test_a_big_shuffle_stays_within_fifty_blocks_and_points_to_the_app_home() -> None:
    rows = [row(f"Task {n}", is_new=n % 3 != 0) for n in range(SHOWN)]
    blocks, _ = render(view(rows, total=SHOWN + 60))
    assert len(blocks) <= 50
    assert "…and 60 more: your App Home" in json.dumps(blocks, ensure_ascii=False)
    summary = json.dumps(blocks[:2])
    assert "<@UMAX>'s shuffle gave you *100* tasks" in summary and "Fees charged: $1,234.00" in summary


def test_a_task_no_longer_held_shows_what_became_of_it_without_a_button() -> None:
    gone = replace(row(status="deleted"), facts=TaskFacts(task_id="t", deleted_by="UADA"))
    moved = replace(row(holder="U2"), moved_by="UMAX")
    done = replace(row(status="done"), facts=TaskFacts(task_id="t", reward_cents=2340, balance_after_cents=-500))
    blocks, _ = render(view([gone, moved, done], kind="assigned"))
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "task_done" not in shown and "A task you were given:" in shown
    assert '{"type": "user", "user_id": "UADA"}' in shown
    assert '"text": "Moved to ", "type": "text"}, {"type": "user", "user_id": "U2"}' in shown
    assert "✅ Done, +$23.40 · your balance: -$5.00" in shown
