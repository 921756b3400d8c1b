"""`/balance [day]`: the caller's balance and the audit log of today or of a past day."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.accounting_blocks import balance_view
from bot.listeners.later import ack_or_refuse, answered
from bot.listeners.middleware import services_of
from bot.replies import Refusal
from domains.accounting.model import InvalidDay, parse_day
from domains.accounting.queries import statement
from domains.kernel.clock import format_cents

USAGE = (
    "*How to use `/balance`*\n"
    "• `/balance`: your balance and today's lines.\n"
    "• `/balance yesterday` or `/balance 2026-11-20`: your balance and that day's lines."
)


def asked(command: dict[str, str], context: BoltContext) -> date | Refusal:
    """The day asked for, or why it cannot be read."""
    try:
        return parse_day(command.get("text", ""), services_of(context).today())
    except InvalidDay as error:
        return Refusal(f"Sorry, {error}.", USAGE)


def acknowledge(ack: Ack, command: dict[str, str], context: BoltContext) -> None:
    """Answer a day it cannot read at once."""
    day = asked(command, context)
    ack_or_refuse(ack, day if isinstance(day, Refusal) else None)


def show(body: dict[str, Any], command: dict[str, str], respond: Respond, context: BoltContext) -> None:
    """After the ack: the caller's own balance and one day's lines, only to them."""
    day = asked(command, context)
    if isinstance(day, Refusal):
        return  # answered by the ack
    assert context.user_id is not None
    services = services_of(context)
    timezone = services.settings.timezone
    with answered(body, context):
        today = services.today()
        shown = statement(services.sessions, context.user_id, day, later=day == today)
        at = "is" if day == today else f"at the end of {day.isoformat()} was"
        text = f"Your balance {at} {format_cents(shown.end_cents)}."
        respond(response_type="ephemeral", text=text, blocks=balance_view(shown, timezone, today=day == today))


def register(app: App) -> None:
    app.command("/balance")(ack=acknowledge, lazy=[show])
