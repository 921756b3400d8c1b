"""`/analytics`: admins see management's earnings, workers in the negative and the most expensive tasks."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.analytics_view import analytics_summary, analytics_view
from bot.listeners.later import ack_or_refuse, answering
from bot.services import Services
from domains.analytics.model import InvalidSpan, Span, parse_span
from domains.analytics.queries import report
from domains.identity.model import UserView, can_see_analytics
from domains.kernel.clock import cycle_of, utcnow

USAGE = (
    "*How to use `/analytics`* (admins only)\n"
    "• `/analytics`: today, with this week's and this month's most expensive task.\n"
    "• `/analytics 2026-11-20`: that day (YYYY-MM-DD), with its week and month.\n"
    "• `/analytics week` or `/analytics week 2026-11-20`: an ISO week, Monday to Sunday.\n"
    "• `/analytics month` or `/analytics month 2026-11`: a calendar month."
)
REFUSAL = "Analytics is for admins only."


def register(app: App, services: Services) -> None:
    def asked(command: dict[str, str], context: BoltContext) -> Span | str:
        """The span asked for, or why it is refused."""
        actor: UserView = context["actor"]
        if not can_see_analytics(actor.role):
            return REFUSAL
        text = command.get("text", "").strip()
        if text.lower() == "help":
            return USAGE
        try:
            return parse_span(text, cycle_of(utcnow(), services.settings.timezone))
        except InvalidSpan as refusal:
            return f"{refusal}\n{USAGE}"

    def acknowledge(ack: Ack, command: dict[str, str], context: BoltContext) -> None:
        """Refuse anyone but admins, and answer help or a span it cannot read, at once."""
        span = asked(command, context)
        ack_or_refuse(ack, span if isinstance(span, str) else None)

    def show(command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """After the ack: the numbers for today, a day, a week or a month."""
        span = asked(command, context)
        if not isinstance(span, str):
            numbers = report(services.sessions, span)
            respond(response_type="ephemeral", text=analytics_summary(numbers), blocks=analytics_view(numbers))

    app.command("/analytics")(ack=acknowledge, lazy=[answering(show)])
