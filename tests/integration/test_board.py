"""`/task board` and the App Home of each role: the board summary, Shuffle behind a confirm, what one created."""

from __future__ import annotations

import json
import random

from sqlalchemy import text

from bot.board import BOARD_PAGE
from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole
from domains.tasks import handlers as tasks
from domains.tasks.commands import CreateTask
from tests.e2e.harness import eventually
from tests.fakes.slack_text import shown_text
from tests.integration.slack_app import SlackApp, blocks_of, buttons
from tests.integration.test_home_and_shortcuts import home_of, open_home


def make_tasks(app: SlackApp, titles: list[str], author: str = "UADMIN") -> None:
    for n, title in enumerate(titles):
        jira_id, _, name = title.partition(" ") if "-" in title.split()[0] else (None, "", title)
        tasks.create_task(
            tasks.unit_of_work(app.sessions),
            CreateTask(author_id=author, title=name, jira_id=jira_id),
            random.Random(n),
        )


def board(app: SlackApp, user_id: str, text: str, name: str = "board") -> dict:  # type: ignore[type-arg]
    reply = app.sender.command(user_id, "/task", f"board {text}".strip(), app.slack.response_url(name))
    assert reply.status == 200
    return reply.json()  # type: ignore[no-any-return]


def shown(reply: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(reply.get("blocks") or reply["text"], ensure_ascii=False)


def test_the_board_lists_every_open_task_with_its_assignee_newest_first_a_page_at_a_time(app: SlackApp) -> None:
    make_tasks(app, [f"Task {n:02d}" for n in range(45)])
    first = board(app, "UADMIN", "")
    assert len(first["blocks"]) <= 50 and "(1–20 of 45, newest first)" in shown(first)
    lines = [shown_text([block]) for block in first["blocks"][1:21]]  # title, ref, then who holds it
    assert [line.split("  ")[0] for line in lines] == [f"Task {n:02d}" for n in range(44, 24, -1)]
    with app.sessions() as session:
        rows = session.execute(text("SELECT title, assignee_id FROM tasks_tasks"))
        holders = {str(title): str(assignee) for title, assignee in rows}
    assert all(line.endswith(f"\nHeld by @{holders[line.split('  ')[0]]}") for line in lines)

    following = buttons(first["blocks"], f"{BOARD_PAGE}_next")[0]
    container = {"type": "message", "is_ephemeral": True, "message_ts": "1.1"}
    for page, expected in ((2, "21–40 of 45"), (3, "41–45 of 45")):
        app.sender.act("UADMIN", following, container, response_url=app.slack.response_url(f"page{page}"))
        redrawn = eventually(lambda p=page: app.replies(f"page{p}"), bool)[0].args  # type: ignore[misc]
        assert redrawn["replace_original"] is True and expected in json.dumps(redrawn["blocks"], ensure_ascii=False)
        following = (buttons(redrawn["blocks"], f"{BOARD_PAGE}_next") or [following])[0]
    assert buttons(redrawn["blocks"], f"{BOARD_PAGE}_next") == []
    assert buttons(redrawn["blocks"], f"{BOARD_PAGE}_prev")


def counted(count: int, described: str) -> str:
    """How a board's heading reads for `count` tasks."""
    return f"*Open tasks{described}* (1–{count} of {count}," if count else f"No open tasks{described}."


def test_the_board_filters_by_person_and_jira_project_and_a_worker_sees_only_their_own(app: SlackApp) -> None:
    make_tasks(app, ["UP-1 Beak", "UP-2 Wing", "DOWN-1 Claw", "Tail", "UP-3 Feather", "DOWN-2 Eye"])
    identity.change_role(
        identity.unit_of_work(app.sessions), ChangeRole(user_id="U2", role="manager", changed_by="UADMIN")
    )
    held_by_u1 = int(app.scalar("SELECT count(*) FROM tasks_tasks WHERE assignee_id = 'U1'"))
    up_of_u1 = int(app.scalar("SELECT count(*) FROM tasks_tasks WHERE assignee_id = 'U1' AND jira_id LIKE 'UP-%'"))

    for asked in ("@alice", "<@U1|alice>", "@Alice"):
        assert counted(held_by_u1, " held by <@U1>") in shown(board(app, "U2", asked))
    project = shown(board(app, "U2", "up"))
    assert counted(3, " of project UP") in project and "DOWN" not in project and "Tail" not in project
    assert counted(up_of_u1, " held by <@U1> of project UP") in shown(board(app, "U2", "@alice UP"))

    own = shown(board(app, "U1", ""))
    assert "held by <@U1>" in own and "U2>" not in own
    assert "Only managers and admins" in board(app, "U1", "@bob")["text"]


def test_bad_board_input_gets_a_clear_answer(app: SlackApp) -> None:
    make_tasks(app, ["UP-1 Beak"])
    assert "/task board [@someone] [PROJECT]" in board(app, "UADMIN", "up-1 two words")["text"]
    assert "Nobody in this workspace is called @nobody" in board(app, "UADMIN", "@nobody")["text"]
    forged = {"type": "button", "action_id": f"{BOARD_PAGE}_next", "value": '{"offset": 0, "assignee": "U2"}'}
    container = {"type": "message", "is_ephemeral": True, "message_ts": "1.1"}
    app.sender.act("U1", forged, container, response_url=app.slack.response_url("forged"))
    assert "Only managers and admins" in eventually(lambda: app.replies("forged"), bool)[0].args["text"]


def test_a_managers_home_shows_the_board_and_shuffle_asks_to_confirm_then_shows_the_result(app: SlackApp) -> None:
    make_tasks(app, ["Beak", "Wing", "Claw"])
    identity.change_role(
        identity.unit_of_work(app.sessions), ChangeRole(user_id="U2", role="manager", changed_by="UADMIN")
    )
    eventually(lambda: app.scalar("SELECT count(*) FROM tasks_members WHERE role = 'worker'"), lambda n: n == 1)
    open_home(app, "U2", "Ev-home")
    home = blocks_of(home_of(app, "U2", "Board"))
    assert "3 open tasks among 1 worker" in json.dumps(home)
    shuffle = buttons(home, "home_shuffle")[0]
    assert (
        shuffle["confirm"]["text"]["text"]
        == "3 open tasks will move among 1 worker; each new assignee pays the task's fee."
    )
    assert shuffle["confirm"]["confirm"]["text"] == "Shuffle" and shuffle["confirm"]["deny"]["text"] == "Cancel"

    app.sender.act("U2", shuffle, {"type": "view", "view_id": "VHOME"})
    after = home_of(app, "U2", "Last shuffle by <@U2>")
    assert "3 tasks moved among 1 worker." in json.dumps(blocks_of(after))
    assert app.scalar("SELECT count(*) FROM tasks_outbox WHERE body LIKE '%TaskAssigned%'") == 6


def test_shuffle_with_arguments_answers_the_usage_and_changes_nothing(app: SlackApp) -> None:
    make_tasks(app, ["Beak", "Wing"])
    reply = app.sender.command("UADMIN", "/shuffle", "extra words", app.slack.response_url("extra")).json()
    assert reply["text"].startswith("`/shuffle` takes no arguments") and "Nothing was changed" in reply["text"]
    eventually(lambda: app.slack.calls, bool)
    assert app.replies("extra") == [] and app.scalar("SELECT count(*) FROM tasks_shuffles") == 0
    assert app.scalar("SELECT count(*) FROM tasks_outbox WHERE body LIKE '%TaskAssigned%'") == 2


def test_an_authors_home_lists_the_tasks_they_created_with_status(app: SlackApp) -> None:
    make_tasks(app, ["Beak", "Wing"], author="U1")
    done_id, assignee = str(
        app.scalar("SELECT task_id || ' ' || assignee_id FROM tasks_tasks WHERE title = 'Beak'")
    ).split()
    app.sender.act(assignee, {"type": "button", "action_id": "task_done", "value": done_id}, {"type": "view"})
    eventually(lambda: app.scalar("SELECT status FROM tasks_tasks WHERE title = 'Beak'"), lambda s: s == "done")
    home = shown_text(blocks_of(home_of(app, "U1", "Tasks you created")))
    wing_holder = app.scalar("SELECT assignee_id FROM tasks_tasks WHERE title = 'Wing'")
    assert f"Beak  {done_id[:8]} · ✅ done" in home and "Wing  " in home and f"open, with @{wing_holder}" in home


def test_the_admins_home_mentions_every_admin_command_and_a_workers_does_not(app: SlackApp) -> None:
    open_home(app, "UADMIN", "Ev-admin")
    admin = json.dumps(blocks_of(home_of(app, "UADMIN", "Commands")))
    assert all(command in admin for command in ("/analytics", "/accounting", "/ates role", "/task board"))
    opened = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "2.2"}
    app.sender.event(opened, "Ev-worker")  # another channel and time than open_home's: not a repeat of it
    worker = json.dumps(blocks_of(home_of(app, "U1", "Commands")))
    assert (
        "/analytics" not in worker
        and "/ates" not in worker
        and buttons(blocks_of(home_of(app, "U1")), "home_shuffle") == []
    )
