"""`/shuffle`: managers and admins reassign every open task at random."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.services import Services
from bot.task_ui import SHUFFLE_REFUSAL, shuffle_all
from domains.identity.model import UserView, can_shuffle


def register(app: App, services: Services) -> None:
    @app.command("/shuffle")
    def shuffle_command(ack: Ack, respond: Respond, context: BoltContext) -> None:
        """Acknowledge at once, shuffle in the background (this listener thread), reply with the count."""
        actor: UserView = context["actor"]
        if not can_shuffle(actor.role):
            ack(response_type="ephemeral", text=SHUFFLE_REFUSAL)
            return
        ack(response_type="ephemeral", text="Shuffling every open task among the workers…")
        respond(response_type="ephemeral", replace_original=False, text=shuffle_all(services, actor))
