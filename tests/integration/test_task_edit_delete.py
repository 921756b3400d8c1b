"""Editing (author or admin) and deleting (admin) tasks, from the menu, `/task edit|delete` and the modals."""

from __future__ import annotations

import json
from uuid import UUID

from domains.accounting.queries import balance_of
from domains.tasks import handlers as tasks
from domains.tasks.commands import CompleteTask, ShuffleTasks
from tests.e2e.harness import eventually
from tests.integration.slack_app import SlackApp


def make_task(app: SlackApp, author: str, text: str) -> tuple[str, str]:
    """Create a task as `author`; returns its id and its assignee."""
    app.sender.command(author, "/task", f"new {text}", app.slack.response_url("made"))
    eventually(lambda: app.scalar("SELECT count(*) FROM tasks_tasks WHERE author_id = :a", a=author), bool)
    row = app.scalar("SELECT task_id || ' ' || assignee_id FROM tasks_tasks WHERE author_id = :a", a=author)
    task_id, assignee = str(row).split()
    return task_id, assignee


def menu(app: SlackApp, user_id: str, choice: str, task_id: str) -> None:
    action = {"type": "overflow", "action_id": "task_menu", "block_id": f"task:{task_id}"}
    action["selected_option"] = {"value": f"{choice}:{task_id}"}  # type: ignore[assignment]
    container = {"type": "message", "channel_id": "D1", "message_ts": "1.1"}
    app.sender.act(user_id, action, container, response_url=app.slack.response_url(f"menu-{user_id}"))


def test_the_author_edits_from_the_menu_and_tasks_emits_task_updated_v2(app: SlackApp) -> None:
    task_id, _ = make_task(app, "U1", "[UP-1] Fix the beak")
    menu(app, "U1", "edit", task_id)
    form = app.slack.wait_for("views.open")[0].args["view"]
    assert form["callback_id"] == "task_edit" and form["private_metadata"] == task_id
    assert [b["element"].get("initial_value") for b in form["blocks"]] == ["Fix the beak", "UP-1", None]

    values = {"title": "Fix the wing", "jira_id": "UP-2", "description": "left one"}
    assert app.sender.submit_view("U1", "task_edit", values, private_metadata=task_id).status == 200
    updated = eventually(lambda: app.events("tasks", "TaskUpdated"), bool)
    assert updated == [{"task_id": task_id, "title": "Fix the wing", "jira_id": "UP-2", "description": "left one"}]
    assert app.scalar("SELECT body FROM tasks_outbox WHERE body LIKE '%TaskUpdated%'").count('"event_version":2') == 1
    assert app.scalar("SELECT title FROM tasks_tasks") == "Fix the wing"


def test_someone_else_may_not_edit_and_nothing_changes(app: SlackApp) -> None:
    task_id, _ = make_task(app, "U1", "Fix the beak")
    app.sender.command("U2", "/task", f"edit {task_id[:8]}", app.slack.response_url("edit"))
    refusal = eventually(lambda: app.replies("edit"), bool)[0].args
    assert "Only the task's author or an admin" in refusal["text"] and refusal["response_type"] == "ephemeral"
    reply = app.sender.submit_view("U2", "task_edit", {"title": "Mine now"}, private_metadata=task_id)
    assert reply.json()["response_action"] == "errors"
    assert app.events("tasks", "TaskUpdated") == []
    assert app.slack.calls_to("views.open") == []


def test_an_admin_edits_by_reference_with_a_jira_id(app: SlackApp) -> None:
    make_task(app, "U1", "[UP-7] Fix the beak")
    app.sender.command("UADMIN", "/task", "edit up-7", app.slack.response_url("edit"))
    assert app.slack.wait_for("views.open")[0].args["view"]["callback_id"] == "task_edit"
    app.sender.command("UADMIN", "/task", "edit NOPE-1", app.slack.response_url("missing"))
    assert "No task matches" in eventually(lambda: app.replies("missing"), bool)[0].args["text"]


def test_an_admin_deletes_an_open_task_the_assignee_is_told_and_it_is_never_assigned_again(app: SlackApp) -> None:
    task_id, assignee = make_task(app, "U1", "Fix the beak")
    fee = -eventually(lambda: balance_of(app.sessions, assignee), bool)
    menu(app, "UADMIN", "delete", task_id)
    confirm = app.slack.wait_for("views.open")[0].args["view"]
    assert confirm["callback_id"] == "task_delete"

    reply = app.sender.submit_view("UADMIN", "task_delete", {}, private_metadata=task_id)
    assert reply.json()["response_action"] == "update"
    eventually(lambda: app.scalar("SELECT status FROM tasks_tasks"), lambda status: status == "deleted")
    assert app.events("tasks", "TaskDeleted") == [{"task_id": task_id, "deleted_by": "UADMIN"}]
    told = app.slack.wait_for("chat.update", where=lambda c: "Deleted by" in json.dumps(c.args["blocks"]))[0]
    assert told.args["channel"] == f"D{assignee}"  # the assignment DM itself now says so, without its Done button
    assert "task_done" not in json.dumps(told.args["blocks"]) and "UADMIN" in json.dumps(told.args["blocks"])

    assert tasks.shuffle_tasks(tasks.unit_of_work(app.sessions), ShuffleTasks()) == 0
    assert app.scalar("SELECT count(*) FROM tasks_outbox WHERE body LIKE '%TaskAssigned%'") == 1
    assert balance_of(app.sessions, assignee) == -fee  # the fee already charged stays; nothing else moves

    app.sender.act(
        assignee,
        {"type": "button", "action_id": "task_done", "value": task_id},
        {"type": "message", "channel_id": f"D{assignee}", "message_ts": "1.1"},
        response_url=app.slack.response_url("late-done"),
    )
    assert "deleted" in eventually(lambda: app.replies("late-done"), bool)[0].args["text"]


def test_only_admins_delete_and_only_open_tasks(app: SlackApp) -> None:
    task_id, assignee = make_task(app, "U1", "Fix the beak")
    app.sender.command("U1", "/task", f"delete {task_id[:8]}", app.slack.response_url("nope"))
    assert "Only an admin" in eventually(lambda: app.replies("nope"), bool)[0].args["text"]
    reply = app.sender.submit_view("U1", "task_delete", {}, private_metadata=task_id)
    assert reply.json()["view"]["title"]["text"] == "Not deleted"

    tasks.complete_task(tasks.unit_of_work(app.sessions), CompleteTask(task_id=UUID(task_id), user_id=assignee))
    reply = app.sender.submit_view("UADMIN", "task_delete", {}, private_metadata=task_id)
    assert "already done" in str(reply.json()["view"]["blocks"])
    assert app.scalar("SELECT status FROM tasks_tasks") == "done"
    assert app.events("tasks", "TaskDeleted") == []


def test_a_jira_id_that_looks_like_a_task_id_still_finds_its_task(app: SlackApp) -> None:
    make_task(app, "U1", "[ABCDEF-12] Fix the beak")
    app.sender.command("U1", "/task", "edit abcdef-12", app.slack.response_url("edit"))
    assert app.slack.wait_for("views.open")[0].args["view"]["blocks"][1]["element"]["initial_value"] == "ABCDEF-12"
