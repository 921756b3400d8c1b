"""The App Home (published on open, refreshed on change, Done and Shuffle from it) and the shortcuts."""

from __future__ import annotations

import json

from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole
from tests.e2e.harness import eventually
from tests.fakes.slack_api import Call
from tests.integration.slack_app import SlackApp, blocks_of, buttons


def home_of(app: SlackApp, user_id: str, containing: str = "") -> Call:
    """The latest App Home published for a user (once one contains `containing`)."""
    published = eventually(
        lambda: [
            c
            for c in app.slack.calls_to("views.publish")
            if c.args["user_id"] == user_id and containing in json.dumps(blocks_of(c))
        ],
        bool,
    )
    return published[-1]


def open_home(app: SlackApp, user_id: str, event_id: str) -> None:
    event = {"type": "app_home_opened", "user": user_id, "channel": "D1", "tab": "home", "event_ts": "1.1"}
    assert app.sender.event(event, event_id).status == 200


def test_opening_the_home_shows_tasks_with_done_balance_log_and_help(app: SlackApp) -> None:
    app.sender.command("UADMIN", "/task", "new [UP-9] Polish the beak", app.slack.response_url("made"))
    assignee = str(eventually(lambda: app.scalar("SELECT assignee_id FROM tasks_tasks"), bool))
    eventually(lambda: app.scalar("SELECT count(*) FROM accounting_audit_records"), bool)
    open_home(app, assignee, "Ev1")
    home = home_of(app, assignee, "Fee")
    blocks = blocks_of(home)
    shown = json.dumps(blocks)
    assert home.args["view"]["type"] == "home"
    assert "Polish the beak" in shown and "UP-9" in shown and "Balance: -$" in shown and "/balance" in shown
    assert len(buttons(blocks, "task_done")) == 1 and buttons(blocks, "home_shuffle") == []
    assert len(blocks) <= 100


def test_the_assignees_home_is_refreshed_when_a_task_is_assigned_to_them(app: SlackApp) -> None:
    app.sender.command("UADMIN", "/task", "new Sharpen the claws", app.slack.response_url("made"))
    assignee = str(eventually(lambda: app.scalar("SELECT assignee_id FROM tasks_tasks"), bool))
    home = home_of(app, assignee, "Sharpen the claws")
    assert buttons(blocks_of(home), "task_done")[0]["value"] == app.scalar("SELECT task_id FROM tasks_tasks")


def test_done_from_the_home_completes_and_republishes_it(app: SlackApp) -> None:
    app.sender.command("UADMIN", "/task", "new Preen", app.slack.response_url("made"))
    assignee = str(eventually(lambda: app.scalar("SELECT assignee_id FROM tasks_tasks"), bool))
    done = buttons(blocks_of(home_of(app, assignee, "Preen")), "task_done")[0]
    app.sender.act(assignee, done, {"type": "view", "view_id": "VHOME"}, view={"id": "VHOME", "type": "home"})
    eventually(lambda: app.scalar("SELECT status FROM tasks_tasks"), lambda s: s == "done")
    home = home_of(app, assignee, "Recently completed")
    assert buttons(blocks_of(home), "task_done") == []


def reply_to(call: Call, user_id: str) -> bool:
    """A reply by DM, not a task message (those carry metadata)."""
    return call.args["channel"] == user_id and "metadata" not in call.args


def test_managers_shuffle_from_the_home_and_workers_are_refused(app: SlackApp) -> None:
    app.sender.command("UADMIN", "/task", "new Preen", app.slack.response_url("made"))
    eventually(lambda: app.scalar("SELECT count(*) FROM tasks_outbox"), bool)
    identity.change_role(
        identity.unit_of_work(app.sessions), ChangeRole(user_id="U2", role="manager", changed_by="UADMIN")
    )
    open_home(app, "U2", "Ev2")
    shuffle = buttons(blocks_of(home_of(app, "U2", "Shuffle")), "home_shuffle")
    assert shuffle

    app.sender.act("U1", shuffle[0], {"type": "view", "view_id": "VHOME"})
    refusal = app.slack.wait_for(
        "chat.postMessage", where=lambda c: c.args["channel"] == "U1" and "metadata" not in c.args
    )[0]
    assert "Only managers and admins" in refusal.args["text"]
    assert app.scalar("SELECT count(*) FROM tasks_outbox WHERE body LIKE '%TaskAssigned%'") == 1

    app.sender.act("U2", shuffle[0], {"type": "view", "view_id": "VHOME"})
    outcome = home_of(app, "U2", "Last shuffle by <@U2>")  # shown where it was asked
    assert "1 task moved among 1 worker." in json.dumps(blocks_of(outcome))


def test_the_global_shortcut_opens_an_empty_form(app: SlackApp) -> None:
    app.sender.shortcut("U1", "create_task")
    form = app.slack.wait_for("views.open")[0].args
    assert form["view"]["callback_id"] == "task_create" and form["trigger_id"] == "trigger-3"


def test_the_message_shortcut_fills_the_description_with_the_message_and_a_link_back(app: SlackApp) -> None:
    message = {"type": "message", "ts": "1700000000.000100", "user": "U2", "text": "The beak squeaks &amp; creaks"}
    app.sender.message_shortcut("U1", "create_task_from_message", "C42", message)
    permalink = app.slack.wait_for("chat.getPermalink")[0].args
    assert (permalink["channel"], permalink["message_ts"]) == ("C42", "1700000000.000100")
    form = app.slack.wait_for("views.open")[0].args["view"]
    description = form["blocks"][2]["element"]["initial_value"]
    assert description.startswith("The beak squeaks & creaks")
    assert "https://ates.slack.com/archives/C42/p1700000000000100" in description
