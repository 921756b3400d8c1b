"""`/task` as Slack sends it: usage, creating by text or by form, the paged list."""

from __future__ import annotations

import json

from bot.blocks import DONE_ACTION
from bot.home_view import LIST_PAGE
from tests.e2e.harness import eventually
from tests.fakes.slack_text import markup_texts, rich_parts, unescape
from tests.integration.slack_app import WORKERS, SlackApp, blocks_of, buttons


def task_count(app: SlackApp) -> int:
    return int(app.scalar("SELECT count(*) FROM tasks_tasks"))


def test_help_and_no_text_and_unknown_subcommands_get_the_usage(app: SlackApp) -> None:
    for text in ("", "help", "frobnicate the beak"):
        reply = app.sender.command("U1", "/task", text, app.slack.response_url("usage"))
        assert reply.status == 200
        body = reply.json()
        assert body["response_type"] == "ephemeral"
        assert "/task new [UP-42] Fix the beak" in body["text"] and "/task list" in body["text"]
    assert "don't know that subcommand" in reply.json()["text"]
    assert task_count(app) == 0


def test_a_title_that_tries_to_ping_or_format_is_shown_as_typed_text(app: SlackApp) -> None:
    typed = "<!channel> <@U123> get_user_id *x* _y_ ~z~ `w` https://example.com/a_b_c 🦜 שלום"
    app.sender.command("UADMIN", "/task", f"new {typed}", app.slack.response_url("made"))
    made = app.slack.wait_for("response_url", where=lambda c: c.path == "/response/made")[0]
    dm = app.slack.wait_for("chat.postMessage")[0]
    markup = [made.args["text"], *markup_texts(blocks_of(made))]  # where Slack reads <…> and *…*
    assert not any("<!channel>" in text or "<@U123>" in text or typed in text for text in markup)
    assert unescape(made.args["text"]).count(typed) == 1  # the notification: escaped, never altered
    [title] = [p for p in rich_parts(blocks_of(made)) if p.get("style", {}).get("bold")]
    assert title["text"] == typed and title["style"] == {"bold": True, "italic": False, "strike": False, "code": False}
    assert "<!channel>" not in dm.args["text"] and "*x*" not in dm.args["text"]  # the notification names no title
    [line] = [b["text"] for b in blocks_of(dm) if b["type"] == "section" and b["text"]["type"] == "plain_text"]
    assert unescape(line["text"]).startswith(f"{typed} · fee $")  # as typed, in plain text
    assert not set(json.dumps([made.args, dm.args], ensure_ascii=False)) & set("∗ˍ∼ˋ")
    assert app.scalar("SELECT title FROM tasks_tasks") == typed


def test_new_without_text_opens_a_form_whose_submission_makes_the_task(app: SlackApp) -> None:
    reply = app.sender.command("UADMIN", "/task", "new", app.slack.response_url("form"))
    assert reply.status == 200
    opened = app.slack.wait_for("views.open")[0]
    assert opened.args["trigger_id"] == "trigger-1" and opened.args["view"]["callback_id"] == "task_create"
    assert [b["block_id"] for b in opened.args["view"]["blocks"]] == ["title", "jira_id", "description"]

    values = {"title": "Fix the beak", "jira_id": "up-42", "description": "It *squeaks*"}
    reply = app.sender.submit_view("UADMIN", "task_create", values)
    assert reply.status == 200 and not reply.body
    made = eventually(lambda: app.scalar("SELECT jira_id FROM tasks_tasks WHERE title = 'Fix the beak'"), bool)
    assert made == "UP-42"  # carried out by the `requests` group, after the ack
    told = app.slack.wait_for("chat.postMessage", where=lambda c: c.args["channel"] == "UADMIN")[0]
    assert "Fix the beak" in told.args["text"] and "UP-42" in told.args["text"]
    dm = app.slack.wait_for("chat.postMessage", where=lambda c: "metadata" in c.args)[0]  # a task message
    assert dm.args["channel"].removeprefix("D") in WORKERS


def test_a_bad_field_is_shown_on_the_form_and_nothing_is_created(app: SlackApp) -> None:
    cases = {
        "jira_id": {"title": "Fix the beak", "jira_id": "not a key"},
        "title": {"title": "Fix [the] beak"},
    }
    for block_id, values in cases.items():
        reply = app.sender.submit_view("U1", "task_create", values)
        body = reply.json()
        assert body["response_action"] == "errors" and list(body["errors"]) == [block_id]
    assert task_count(app) == 0


def test_list_shows_the_callers_open_tasks_a_page_at_a_time_each_with_done(app: SlackApp) -> None:
    for n in range(45):
        app.sender.command("UADMIN", "/task", f"new Task number {n}", app.slack.response_url("made"))
    app.slack.wait_for("response_url", count=45, where=lambda c: c.path == "/response/made")
    owner = str(app.scalar("SELECT assignee_id FROM tasks_tasks GROUP BY assignee_id ORDER BY count(*) DESC LIMIT 1"))
    mine = int(app.scalar("SELECT count(*) FROM tasks_tasks WHERE assignee_id = :u", u=owner))

    first = app.sender.command(owner, "/task", "list", app.slack.response_url("list")).json()
    assert first["response_type"] == "ephemeral" and len(first["blocks"]) <= 50
    assert len(buttons(first["blocks"], DONE_ACTION)) == 20
    following = buttons(first["blocks"], f"{LIST_PAGE}_next")
    assert mine > 20 and following

    container = {"type": "message", "is_ephemeral": True, "message_ts": "1.1"}
    app.sender.act(owner, following[0], container, response_url=app.slack.response_url("page2"))
    page = eventually(lambda: app.replies("page2"), bool)[0].args
    assert page["replace_original"] is True and len(page["blocks"]) <= 50
    assert len(buttons(page["blocks"], DONE_ACTION)) == min(20, mine - 20)

    none = app.sender.command("UADMIN", "/task", "list", app.slack.response_url("none")).json()
    assert "no open tasks" in json.dumps(none["blocks"])


def test_done_from_the_list_completes_the_task_and_redraws_the_list(app: SlackApp) -> None:
    app.sender.command("UADMIN", "/task", "new Preen", app.slack.response_url("made"))
    assignee = str(eventually(lambda: app.scalar("SELECT assignee_id FROM tasks_tasks"), bool))
    listed = app.sender.command(assignee, "/task", "list", app.slack.response_url("list")).json()
    done = buttons(listed["blocks"], DONE_ACTION)[0]
    container = {"type": "message", "is_ephemeral": True, "message_ts": "1.1"}
    app.sender.act(assignee, done, container, response_url=app.slack.response_url("after"))
    redrawn = eventually(lambda: app.replies("after"), bool)[0].args
    assert redrawn["replace_original"] is True and "no open tasks" in json.dumps(redrawn["blocks"])
    assert app.scalar("SELECT status FROM tasks_tasks") == "done"
