"""`/shuffle`: managers and admins reassign every open task at random."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.services import Services
from domains.identity.model import UserView, can_shuffle
from domains.tasks import handlers as tasks


def register(app: App, services: Services) -> None:
    @app.command("/shuffle")
    def shuffle_command(ack: Ack, respond: Respond, context: BoltContext) -> None:
        """Acknowledge at once, shuffle in the background, reply with the count."""
        actor: UserView = context["actor"]
        if not can_shuffle(actor.role):
            ack(response_type="ephemeral", text="Only managers and admins can shuffle tasks; nothing was changed.")
            return
        ack(response_type="ephemeral", text="Shuffling every open task among the workers…")
        moved = tasks.shuffle_tasks(tasks.unit_of_work(services.sessions), services.rng)
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=f"Shuffled {moved} open task{'s' if moved != 1 else ''}." if moved else "There are no open tasks.",
        )
