"""`/balance [day]`: the caller's balance and the audit log of today or of a past day."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks import balance_view
from bot.listeners.later import ack_or_refuse, answering
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
    def asked(command: dict[str, str]) -> date | str:
        """The day asked for, or why it cannot be read."""
        try:
            return parse_day(command.get("text", ""), cycle_of(utcnow(), services.settings.timezone))
        except InvalidDay as error:
            return f"Sorry, {error}.\n{USAGE}"

    def acknowledge(ack: Ack, command: dict[str, str]) -> None:
        """Answer a day it cannot read at once."""
        day = asked(command)
        ack_or_refuse(ack, day if isinstance(day, str) else None)

    def show(command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """After the ack: the caller's own balance and one day's lines, only to them."""
        day = asked(command)
        if isinstance(day, str):
            return
        assert context.user_id is not None
        today = cycle_of(utcnow(), services.settings.timezone)
        balance = balance_of(services.sessions, context.user_id)
        lines = audit_log(services.sessions, context.user_id, day)
        when = "today" if day == today else f"on {day.isoformat()}"
        blocks = balance_view(balance, lines, services.settings.timezone, when)
        respond(response_type="ephemeral", text=f"Your balance is {format_cents(balance)}.", blocks=blocks)

    app.command("/balance")(ack=acknowledge, lazy=[answering(show)])
