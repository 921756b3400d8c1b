"""`/balance [day]`: the caller's balance and the audit log of today or of a past day."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks import balance_view
from bot.services import Services
from domains.accounting.model import InvalidDay, parse_day
from domains.accounting.queries import audit_log, balance_of
from domains.kernel.clock import cycle_of, format_cents, utcnow

USAGE = (
    "*How to use `/balance`*\n"
    "• `/balance`: your balance and today's lines.\n"
    "• `/balance yesterday` or `/balance 2026-11-20`: your balance and that day's lines."
)


def register(app: App, services: Services) -> None:
    @app.command("/balance")
    def balance_command(ack: Ack, command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """Show the caller's own balance and one day's lines, only to them."""
        today = cycle_of(utcnow(), services.settings.timezone)
        try:
            day = parse_day(command.get("text", ""), today)
        except InvalidDay as error:
            ack(response_type="ephemeral", text=f"Sorry, {error}.\n{USAGE}")
            return
        ack()
        assert context.user_id is not None
        balance = balance_of(services.sessions, context.user_id)
        lines = audit_log(services.sessions, context.user_id, day)
        respond(
            response_type="ephemeral",
            text=f"Your balance is {format_cents(balance)}.",
            blocks=balance_view(
                balance, lines, services.settings.timezone, "today" if day == today else f"on {day.isoformat()}"
            ),
        )
