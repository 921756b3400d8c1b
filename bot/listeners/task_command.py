"""`/task`: create, list, edit and delete tasks, and get help."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.board import BoardRefusal, allowed, board_blocks, parse_board
from bot.listeners.later import ack_or_refuse, answered, just_ack
from bot.listeners.middleware import services_of
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
    "• `/task board [@someone] [PROJECT]`: every open task and who holds it, newest first "
    "(managers and admins; others see their own), e.g. `/task board @sky UP`.\n"
    "• `/task edit &lt;ref&gt;`: change a task's title, Jira id or description (its author or an admin); "
    "`&lt;ref&gt;` is the short ref shown with each task, or its Jira id.\n"
    "• `/task delete &lt;ref&gt;`: delete an open task (admins).\n"
    "• `/task help`: this message."
)
UNKNOWN = "I don't know that subcommand.\n\n" + USAGE
NEEDS_A_REF = (
    "`/task {0} &lt;ref&gt;`: which task? `&lt;ref&gt;` is the short ref shown with each task "
    "(`/task list`, `/task board`) or its Jira id, e.g. `/task {0} UP-42`."
)


def open_form(body: dict[str, Any], command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """After the ack: the form of `/task new` (no text), `/task edit <ref>` or `/task delete <ref>`."""
    subcommand, rest = _words(command)
    trigger_id = str(command["trigger_id"])
    with answered(body, context):
        if subcommand == "new":
            open_create_form(client, trigger_id)
            return
        task = resolve_task(services_of(context), rest)
        opener = open_edit_form if subcommand == "edit" else open_delete_confirmation
        opener(client, trigger_id, task, context["actor"])


def task_command(ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Answer `/task new <title>`, `/task list` and help at once; anything unknown gets the usage."""
    subcommand, rest = _words(command)
    actor: UserView = context["actor"]
    services = services_of(context)
    if subcommand == "new":
        _create(ack, respond, services, actor, rest)
    elif subcommand == "list":
        ack(response_type="ephemeral", text="Your open tasks", blocks=list_page(services, actor.slack_id))
    elif subcommand == "board":
        _board(ack, services, actor, rest)
    elif subcommand in ("edit", "delete"):  # with a ref, the form opens (open_form)
        ack(response_type="ephemeral", text=NEEDS_A_REF.format(subcommand))
    else:
        ack(response_type="ephemeral", text=USAGE if subcommand in ("", "help") else UNKNOWN)


def register(app: App) -> None:
    app.command("/task", matchers=[_opens_a_form])(ack=just_ack, lazy=[open_form])
    app.command("/task")(task_command)


def _words(command: dict[str, Any]) -> tuple[str, str]:
    """`/task Edit  ab12cd34` -> ("edit", "ab12cd34")."""
    subcommand, _, rest = str(command.get("text", "")).strip().partition(" ")
    return subcommand.lower(), rest.strip()


def _opens_a_form(command: dict[str, Any]) -> bool:
    subcommand, rest = _words(command)
    return (subcommand == "new" and not rest) or (subcommand in ("edit", "delete") and bool(rest))


def _board(ack: Ack, services: Services, actor: UserView, text: str) -> None:
    try:
        blocks = board_blocks(services.sessions, allowed(actor, parse_board(services.sessions, text)))
    except BoardRefusal as refusal:
        ack_or_refuse(ack, refusal.answer)
        return
    ack(response_type="ephemeral", text="Open tasks", blocks=blocks)


def _create(ack: Ack, respond: Respond, services: Services, actor: UserView, text: str) -> None:
    """Check the task and queue it: the `requests` group creates it and replies (bot/requests.py)."""
    try:
        new_task = parse_new_task(text)
    except InvalidTask as refusal:
        ack(response_type="ephemeral", text=str(refusal))
        return
    accept_creation(services, actor.slack_id, new_task, respond.response_url)
    ack()
