"""`/balance`: the caller's balance and today's audit log."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks import balance_view
from bot.services import Services
from domains.accounting.queries import audit_log, balance_of
from domains.kernel.clock import cycle_of, format_cents, utcnow


def register(app: App, services: Services) -> None:
    @app.command("/balance")
    def balance_command(ack: Ack, respond: Respond, context: BoltContext) -> None:
        """Show the caller's own balance and today's lines, only to them."""
        ack()
        assert context.user_id is not None
        today = cycle_of(utcnow(), services.settings.timezone)
        balance = balance_of(services.sessions, context.user_id)
        lines = audit_log(services.sessions, context.user_id, today)
        respond(
            response_type="ephemeral",
            text=f"Your balance is {format_cents(balance)}.",
            blocks=balance_view(balance, lines),
        )
