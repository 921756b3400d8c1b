"""`/shuffle`: managers and admins reassign every open task at random."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.listeners.later import answering
from bot.services import Services
from bot.task_ui import SHUFFLE_REFUSAL, shuffle_all
from domains.identity.model import UserView, can_shuffle


def register(app: App, services: Services) -> None:
    def acknowledge(ack: Ack, context: BoltContext) -> None:
        """Refuse at once, or say the shuffle has begun."""
        actor: UserView = context["actor"]
        if not can_shuffle(actor.role):
            ack(response_type="ephemeral", text=SHUFFLE_REFUSAL)
        else:
            ack(response_type="ephemeral", text="Shuffling every open task among the workers…")

    def shuffle(respond: Respond, context: BoltContext) -> None:
        """After the ack, in a listener thread: shuffle and reply with the count."""
        actor: UserView = context["actor"]
        if can_shuffle(actor.role):
            respond(response_type="ephemeral", replace_original=False, text=shuffle_all(services, actor))

    app.command("/shuffle")(ack=acknowledge, lazy=[answering(shuffle)])
