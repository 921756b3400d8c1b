"""`/task`: create, list, edit and delete tasks, and get help."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.requests import accept_creation
from bot.services import Services
from bot.task_ui import list_page, open_create_form, open_delete_confirmation, open_edit_form, resolve_task
from domains.identity.model import UserView
from domains.tasks.model import InvalidTask, parse_new_task

USAGE = (
    "*How to use `/task`*\n"
    "• `/task new [UP-42] Fix the beak`: create a task (the Jira key in brackets is optional); "
    "it goes to a random worker, who pays its fee and earns its reward when done.\n"
    "• `/task new`: the same, in a form with a description.\n"
    "• `/task list`: your open tasks, each with a *Done* button.\n"
    "• `/task edit &lt;ref&gt;`: change a task's title, Jira id or description (its author or an admin); "
    "`&lt;ref&gt;` is the short ref shown with each task, or its Jira id.\n"
    "• `/task delete &lt;ref&gt;`: delete an open task (admins).\n"
    "• `/task help`: this message."
)
UNKNOWN = "I don't know that subcommand.\n\n" + USAGE


def register(app: App, services: Services) -> None:
    @app.command("/task")
    def task_command(
        ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext, client: WebClient
    ) -> None:
        """Route `/task <subcommand>`; anything unknown gets the usage."""
        subcommand, _, rest = str(command.get("text", "")).strip().partition(" ")
        subcommand, rest = subcommand.lower(), rest.strip()
        actor: UserView = context["actor"]
        trigger_id = str(command["trigger_id"])
        if subcommand == "new" and rest:
            _create(ack, respond, services, actor, rest)
        elif subcommand == "new":
            ack()
            open_create_form(client, trigger_id)
        elif subcommand == "list":
            ack(response_type="ephemeral", text="Your open tasks", blocks=list_page(services, actor.slack_id))
        elif subcommand in ("edit", "delete") and rest:
            ack()
            task = resolve_task(services, rest)
            opener = open_edit_form if subcommand == "edit" else open_delete_confirmation
            opener(client, trigger_id, task, actor)
        else:
            ack(response_type="ephemeral", text=USAGE if subcommand in ("", "help") else UNKNOWN)


def _create(ack: Ack, respond: Respond, services: Services, actor: UserView, text: str) -> None:
    """Check the task and queue it: the `requests` group creates it and replies (bot/requests.py)."""
    try:
        new_task = parse_new_task(text)
    except InvalidTask as refusal:
        ack(response_type="ephemeral", text=str(refusal))
        return
    accept_creation(services, actor.slack_id, new_task, respond.response_url)
    ack()
