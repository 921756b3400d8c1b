"""`/shuffle`: managers and admins reassign every open task at random."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.listeners.later import answered
from bot.listeners.middleware import services_of
from bot.task_ui import SHUFFLE_REFUSAL, shuffle_all
from domains.identity.model import UserView, can_shuffle

USAGE = (
    "`/shuffle` takes no arguments: it reassigns every open task at random among the workers, and each new "
    "assignee pays the task's fee (managers and admins). Nothing was changed."
)


def acknowledge(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """Refuse at once, or say the shuffle has begun."""
    ack(
        response_type="ephemeral",
        text=_refusal(context["actor"], command) or "Shuffling every open task among the workers…",
    )


def shuffle(body: dict[str, Any], respond: Respond, command: dict[str, Any], context: BoltContext) -> None:
    """After the ack, in a listener thread: shuffle and reply with the count."""
    actor: UserView = context["actor"]
    with answered(body, context):
        if not _refusal(actor, command):
            text = shuffle_all(services_of(context), actor)
            respond(response_type="ephemeral", replace_original=False, text=text)


def register(app: App) -> None:
    app.command("/shuffle")(ack=acknowledge, lazy=[shuffle])


def _refusal(actor: UserView, command: dict[str, Any]) -> str | None:
    if str(command.get("text", "")).strip():
        return USAGE
    return None if can_shuffle(actor.role) else SHUFFLE_REFUSAL
