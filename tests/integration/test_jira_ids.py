"""A Jira id names one open task: a duplicate is refused (naming the task that has it); `/task edit` needs a ref."""

from __future__ import annotations

from domains.tasks import handlers as tasks
from domains.tasks.commands import CreateTask
from domains.tasks.model import DuplicateJiraId
from tests.e2e.harness import eventually
from tests.integration.slack_app import SlackApp
from tests.integration.test_identity_upsert import at_once
from tests.integration.test_task_edit_delete import make_task


def test_a_second_open_task_with_the_same_jira_id_is_refused_naming_the_first(app: SlackApp) -> None:
    task_id, assignee = make_task(app, "U1", "[UP-42] Fix the beak")
    app.sender.command("U2", "/task", "new [up-42] Fix it again", app.slack.response_url("again"))
    said = eventually(lambda: app.replies("again"), bool)[0].args["text"]
    assert (
        said == f'UP-42 is already the Jira id of the open task "Fix the beak" (ref {task_id[:8]}); nothing was saved.'
    )

    form = app.sender.submit_view("U2", "task_create", {"title": "Fix it again", "jira_id": "UP-42"}).json()
    assert form["response_action"] == "errors" and "ref " + task_id[:8] in form["errors"]["jira_id"]
    assert app.scalar("SELECT count(*) FROM tasks_tasks") == 1

    app.sender.command("UADMIN", "/task", "edit UP-42", app.slack.response_url("edit"))
    assert app.slack.wait_for("views.open")[0].args["view"]["callback_id"] == "task_edit"  # one task: no "Several"

    app.sender.act(assignee, {"type": "button", "action_id": "task_done", "value": task_id}, {"type": "view"})
    eventually(lambda: app.scalar("SELECT status FROM tasks_tasks"), lambda s: s == "done")
    app.sender.command("U2", "/task", "new [UP-42] Fix it again", app.slack.response_url("later"))
    assert eventually(lambda: app.replies("later"), bool)[0].args["text"].startswith("Created")  # done frees it


def test_editing_a_task_to_another_open_tasks_jira_id_is_refused_and_nothing_changes(app: SlackApp) -> None:
    first_id, _ = make_task(app, "U1", "[UP-1] Fix the beak")
    app.sender.command("U1", "/task", "new [UP-2] Fix the wing", app.slack.response_url("second"))
    second_id = str(eventually(lambda: app.scalar("SELECT task_id FROM tasks_tasks WHERE jira_id = 'UP-2'"), bool))
    values = {"title": "Fix the wing", "jira_id": "up-1"}
    reply = app.sender.submit_view("U1", "task_edit", values, private_metadata=second_id).json()
    assert reply["response_action"] == "errors" and f"(ref {first_id[:8]})" in reply["errors"]["jira_id"]
    assert app.scalar("SELECT jira_id FROM tasks_tasks WHERE task_id = :t", t=second_id) == "UP-2"
    unchanged = {"title": "Fix the wing, really", "jira_id": "UP-2"}  # keeping its own id is no duplicate
    assert app.sender.submit_view("U1", "task_edit", unchanged, private_metadata=second_id).status == 200
    eventually(
        lambda: app.scalar("SELECT title FROM tasks_tasks WHERE task_id = :t", t=second_id), lambda t: "really" in t
    )


def test_edit_and_delete_without_a_ref_say_which_ref_they_need(app: SlackApp) -> None:
    for subcommand in ("edit", "delete"):
        reply = app.sender.command("UADMIN", "/task", subcommand, app.slack.response_url(subcommand)).json()
        assert reply["text"].startswith(f"`/task {subcommand} &lt;ref&gt;`: which task?")
        assert "don't know that subcommand" not in reply["text"]
    assert app.slack.calls_to("views.open") == []


def test_two_tasks_given_the_same_jira_id_at_once_make_one_task(app: SlackApp) -> None:
    for n in range(5):
        one, other = (CreateTask(author_id=a, title=f"Fix part {n}", jira_id=f"RACE-{n}") for a in ("U1", "U2"))
        failures = at_once(
            lambda: tasks.create_task(tasks.unit_of_work(app.sessions), one),  # noqa: B023
            lambda: tasks.create_task(tasks.unit_of_work(app.sessions), other),  # noqa: B023
        )
        assert [type(f) for f in failures] == [DuplicateJiraId]
    assert app.scalar("SELECT count(DISTINCT jira_id) || '/' || count(*) FROM tasks_tasks") == "5/5"
