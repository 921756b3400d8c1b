"""Every message aTES posts about a task tells the truth: driven through signed requests, read back from the fake
Slack's messages (what was posted, then updated)."""

from __future__ import annotations

import json
from typing import Any

from domains.accounting.queries import balance_of
from domains.kernel.clock import format_cents
from tests.e2e.harness import eventually
from tests.integration.slack_app import SlackApp
from tests.integration.test_task_edit_delete import menu


def make_task(app: SlackApp, author: str, text: str) -> tuple[str, str]:
    """Create a task by `/task new`; returns its id and its assignee."""
    before = app.scalar("SELECT count(*) FROM tasks_tasks")
    app.sender.command(author, "/task", f"new {text}", app.slack.response_url("made"))
    eventually(lambda: app.scalar("SELECT count(*) FROM tasks_tasks"), lambda n: n > before)
    row = app.scalar("SELECT task_id || ' ' || assignee_id FROM tasks_tasks ORDER BY created_at DESC LIMIT 1")
    task_id, assignee = str(row).split()
    return task_id, assignee


def task_messages(app: SlackApp) -> list[dict[str, Any]]:
    """Every task message Slack holds now, each with its channel, as last updated."""
    held = []
    for channel in list(app.slack.store.channels):
        for message in app.slack.store.in_channel(channel):
            if message.get("metadata", {}).get("event_type") == "ates_task_message":
                held.append({**message, "channel": channel, "key": message["metadata"]["event_payload"]["key"]})
    return held


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def done_buttons(message: dict[str, Any]) -> list[str]:
    return [
        b["accessory"]["value"] for b in message["blocks"] if b.get("accessory", {}).get("action_id") == "task_done"
    ]


def rich_parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline elements of the message's rich_text blocks, in order."""
    rich = [b for b in message["blocks"] if b["type"] == "rich_text"]
    return [part for b in rich for section in b["elements"] for part in section["elements"]]


def messages_about(app: SlackApp, task_id: str) -> list[dict[str, Any]]:
    return [m for m in task_messages(app) if any(b.get("block_id") == f"task:{task_id}" for b in m["blocks"])]


def price(app: SlackApp, task_id: str) -> tuple[int, int]:
    row = app.scalar("SELECT fee_cents || ' ' || reward_cents FROM accounting_tasks WHERE task_id = :t", t=task_id)
    fee, reward = str(row).split()
    return int(fee), int(reward)


def click_done(app: SlackApp, user_id: str, message: dict[str, Any], task_id: str) -> None:
    app.sender.click(
        user_id, "task_done", task_id, app.slack.response_url("click"), {"ts": message["ts"]}, message["channel"]
    )


def test_the_assignment_dm_shows_the_fee_charged_and_the_reward_on_offer(app: SlackApp) -> None:
    task_id, holder = make_task(app, "UADMIN", "[UP-1] <!channel> *x* _y_ https://example.com/a_b_c")
    [dm] = eventually(lambda: task_messages(app), bool)
    fee, reward = price(app, task_id)
    assert dm["channel"] == f"D{holder}" and done_buttons(dm) == [task_id]
    [line] = [b["text"] for b in dm["blocks"] if b.get("accessory")]
    assert line["type"] == "plain_text"  # shown as typed: only & < > escaped, as Slack requires
    title = "&lt;!channel&gt; *x* _y_ https://example.com/a_b_c (UP-1)"
    money = f"fee {format_cents(fee)} charged · reward {format_cents(reward)}"
    assert line["text"] == f"{title} · {money} · ref {task_id[:8]}"
    remembered = eventually(
        lambda: app.scalar("SELECT channel_id FROM bot_dm_channels WHERE user_id = :u", u=holder), bool
    )
    assert remembered == f"D{holder}"  # Slack's answer to a post to the user id: later posts go there


def test_edit_delete_and_done_bring_every_earlier_message_up_to_date_and_the_author_is_told(app: SlackApp) -> None:
    kept, kept_holder = make_task(app, "UADMIN", "[UP-1] Fix the beak")
    gone, _ = make_task(app, "UADMIN", "Paint the cage")
    eventually(lambda: task_messages(app), lambda held: len(held) == 2)

    values = {"title": "Fix the *wing*", "jira_id": "UP-2", "description": ""}
    assert app.sender.submit_view("UADMIN", "task_edit", values, private_metadata=kept).status == 200
    [edited] = eventually(lambda: messages_about(app, kept), lambda m: "Fix the *wing* (UP-2)" in shown(m[0]))
    assert done_buttons(edited) == [kept]  # still theirs: still offers Done

    menu(app, "UADMIN", "delete", gone)
    app.sender.submit_view("UADMIN", "task_delete", {}, private_metadata=gone)
    [deleted] = eventually(lambda: messages_about(app, gone), lambda m: "Deleted by" in shown(m[0]))
    parts = rich_parts(deleted)
    assert parts[parts.index({"type": "text", "text": "🗑️ Deleted by "}) + 1] == {"type": "user", "user_id": "UADMIN"}
    assert done_buttons(deleted) == []

    click_done(app, kept_holder, edited, kept)
    _, reward = price(app, kept)
    done = eventually(lambda: messages_about(app, kept), lambda m: len(m) == 2 and "Done, +" in shown(m[0]))
    balance = balance_of(app.sessions, kept_holder)
    assert f"✅ Done, +{format_cents(reward)} · your balance: {format_cents(balance)}" in shown(done[0])
    assert done_buttons(done[0]) == []
    [author] = [m for m in done if m["channel"] == "DUADMIN"]  # the author is told, by DM
    assert f"was done by <@{kept_holder}>" in shown(author) and "Fix the *wing*" in shown(author)
    assert len(app.slack.calls_to("chat.postMessage")) == 3  # two assignments, one author DM: nothing twice


def test_a_shuffle_tells_each_worker_once_and_a_stale_button_answers_with_the_truth(app: SlackApp) -> None:
    ids = [make_task(app, "UADMIN", f"Task {n}")[0] for n in range(4)]
    eventually(lambda: task_messages(app), lambda held: len(held) == 4)
    draws: dict[str, tuple[str, str]] = {}
    draws_seen: list[int] = []
    for attempt in range(10):  # each task moves with odds 1/2: shuffle until one did
        app.sender.command("UADMIN", "/shuffle", "", app.slack.response_url(f"shuffle-{attempt}"))
        eventually(lambda: app.events("tasks", "ShuffleCompleted"), lambda done: len(done) == len(draws_seen) + 1)
        draws_seen.append(attempt)
        shuffle_id = app.events("tasks", "ShuffleCompleted")[-1]["shuffle_id"]
        assigned = [e for e in app.events("tasks", "TaskAssigned") if e.get("shuffle_id") == shuffle_id]
        draws = {e["task_id"]: (e["previous_assignee_id"], e["assignee_id"]) for e in assigned}
        if any(before != after for before, after in draws.values()):
            break
    holders = {after for _, after in draws.values()}

    def shuffle_messages() -> list[dict[str, Any]]:
        return [m for m in task_messages(app) if m["key"].startswith(f"shuffle:{shuffle_id}:")]

    told = eventually(shuffle_messages, lambda m: len(m) == len(holders))
    for message in told:
        worker = message["channel"].removeprefix("D")
        mine = [t for t, (_, after) in draws.items() if after == worker]
        kept = [t for t in mine if draws[t][0] == worker]
        fees = sum(price(app, t)[0] for t in mine)
        summary = f"gave you *{len(mine)}* task{'s' if len(mine) > 1 else ''}: {len(mine) - len(kept)} new to you,"
        assert summary in shown(message) and f"{len(kept)} you kept." in shown(message)
        assert f"Fees charged: {format_cents(fees)}" in shown(message) and "<@UADMIN>'s shuffle" in shown(message)
        assert sorted(done_buttons(message)) == sorted(mine)
        for row in (b for b in message["blocks"] if b.get("accessory")):  # a redrawn task is not announced as new
            assert f" · {'kept' if row['accessory']['value'] in kept else 'new'} · ref " in row["text"]["text"]

    moved = next(t for t, (before, after) in draws.items() if before != after)
    before, after = draws[moved]
    stale = [m for m in task_messages(app) if m["channel"] == f"D{before}" and moved in done_buttons(m)][-1]
    click_done(app, before, stale, moved)  # lazy: the stale button still shows until clicked, then tells the truth
    answered = eventually(
        lambda: [m for m in task_messages(app) if m["ts"] == stale["ts"]], lambda m: "holds it now" in shown(m[0])
    )[0]
    assert f"<@{after}> holds it now; nothing changed." in shown(answered) and moved not in done_buttons(answered)
    parts = rich_parts(answered)
    at = parts.index({"type": "text", "text": "Moved to "})
    assert parts[at + 1 : at + 5] == [
        {"type": "user", "user_id": after},
        {"type": "text", "text": " by "},
        {"type": "user", "user_id": "UADMIN"},
        {"type": "text", "text": "'s shuffle"},
    ]
    assert app.scalar("SELECT status FROM tasks_tasks WHERE task_id = :t", t=moved) == "open"
    assert all(t in ids for t in draws)


def test_odd_clicks_get_a_clear_answer_in_place_and_change_nothing(app: SlackApp) -> None:
    task_id, holder = make_task(app, "UADMIN", "Fix the beak")
    [dm] = eventually(lambda: task_messages(app), bool)
    menu(app, "UADMIN", "delete", task_id)
    app.sender.submit_view("UADMIN", "task_delete", {}, private_metadata=task_id)
    eventually(lambda: messages_about(app, task_id), lambda m: "Deleted by" in shown(m[0]))
    balance = balance_of(app.sessions, holder)

    click_done(app, holder, dm, task_id)
    answer = eventually(lambda: app.slack.store.in_channel(dm["channel"]), lambda m: "was deleted" in shown(m[0]))[0]
    assert "That task was deleted. Nothing changed." in shown(answer) and done_buttons(answer) == []

    unknown = "00000000-0000-4000-8000-000000000000"
    click_done(app, holder, dm, unknown)
    answer = eventually(lambda: app.slack.store.in_channel(dm["channel"]), lambda m: "no longer exists" in shown(m[0]))[
        0
    ]
    assert "That task no longer exists. Nothing changed." in shown(answer)
    assert balance_of(app.sessions, holder) == balance
    assert app.scalar("SELECT status FROM tasks_tasks") == "deleted"
