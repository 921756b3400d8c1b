"""Text typed into a task comes back exactly as typed everywhere Slack shows it: the DM, the Home, the list,
the pre-filled edit form and the delete confirmation (read from the calls the app made to the Web API)."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.harness import eventually
from tests.fakes.slack_text import markup_texts, rich_parts, shown_text
from tests.integration.slack_app import SlackApp, blocks_of
from tests.integration.test_home_and_shortcuts import home_of, open_home
from tests.integration.test_task_edit_delete import menu

TITLE = "get_user_id *x* _y_ ~z~ `c` <!channel> 🦜 שלום"
DESCRIPTION = "See https://example.com/a_b_c?q=1&r=2 <@U123> :tada:\nRTL: مرحبا"
NO_LOOK_ALIKES = set("∗ˍ∼ˋ")


def typed_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Each rich text element's text, as sent and as shown."""
    return [part["text"] for part in rich_parts(blocks) if part["type"] == "text"]


def never_pings_or_alters(blocks: list[dict[str, Any]]) -> None:
    markup = "".join(markup_texts(blocks))  # where Slack reads <…> as a mention: user text never goes there
    assert "<!channel>" not in markup and "<@U123>" not in markup
    assert {part["type"] for part in rich_parts(blocks)} <= {"text", "link"}  # no mention element from user text
    assert not set(json.dumps(blocks, ensure_ascii=False)) & NO_LOOK_ALIKES


def test_a_task_made_in_the_form_reads_back_as_typed_everywhere(app: SlackApp) -> None:
    values = {"title": TITLE, "jira_id": "UP-7", "description": DESCRIPTION}
    assert app.sender.submit_view("UADMIN", "task_create", values).status == 200
    task_id = str(eventually(lambda: app.scalar("SELECT task_id FROM tasks_tasks"), bool))
    assignee = str(app.scalar("SELECT assignee_id FROM tasks_tasks"))

    told = app.slack.wait_for("chat.postMessage", where=lambda c: c.args["channel"] == "UADMIN")[0]
    assert TITLE in typed_texts(blocks_of(told))  # the author's "Created …" DM
    mentions = [part.get("user_id") for part in rich_parts(blocks_of(told)) if part["type"] != "text"]
    assert mentions == [assignee]  # our own mention of the assignee; none made of the title
    dm = app.slack.wait_for("chat.postMessage", where=lambda c: c.args["channel"] in (assignee, f"D{assignee}"))[0]
    assert f"{TITLE} (UP-7)" in shown_text(blocks_of(dm))  # the assignee's task message (plain text, escaped)
    never_pings_or_alters(blocks_of(dm))

    open_home(app, assignee, "EvVerbatim")
    home = blocks_of(home_of(app, assignee, "UP-7"))
    links = [part["url"] for part in rich_parts(home) if part["type"] == "link"]
    assert links == ["https://example.com/a_b_c?q=1&r=2"]  # the link typed, and no other
    assert TITLE in typed_texts(home) and "See https://example.com/a_b_c?q=1&r=2 <@U123>" in shown_text(home)
    never_pings_or_alters(home)

    listed = app.sender.command(assignee, "/task", "list", app.slack.response_url("list")).json()
    assert TITLE in typed_texts(listed["blocks"])

    menu(app, "UADMIN", "edit", task_id)
    form = app.slack.wait_for("views.open")[0].args["view"]
    assert [b["element"].get("initial_value") for b in form["blocks"]] == [TITLE, "UP-7", DESCRIPTION]

    app.sender.command("UADMIN", "/task", "delete UP-7", app.slack.response_url("delete"))
    confirm = app.slack.wait_for("views.open", count=2)[1].args["view"]
    assert TITLE in typed_texts(confirm["blocks"])
    never_pings_or_alters(confirm["blocks"])
