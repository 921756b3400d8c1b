"""`/analytics`: admins see management's earnings, workers in the negative and the most expensive tasks."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.analytics_view import analytics_summary, analytics_view
from bot.services import Services
from domains.analytics.model import InvalidSpan, parse_span
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
    @app.command("/analytics")
    def analytics_command(ack: Ack, command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """Show the numbers for today, a day, a week or a month, to admins only."""
        actor: UserView = context["actor"]
        if not can_see_analytics(actor.role):
            ack(response_type="ephemeral", text=REFUSAL)
            return
        text = command.get("text", "").strip()
        if text.lower() == "help":
            ack(response_type="ephemeral", text=USAGE)
            return
        today = cycle_of(utcnow(), services.settings.timezone)
        try:
            span = parse_span(text, today)
        except InvalidSpan as refusal:
            ack(response_type="ephemeral", text=f"{refusal}\n{USAGE}")
            return
        ack()
        numbers = report(services.sessions, span)
        respond(
            response_type="ephemeral",
            text=analytics_summary(numbers),
            blocks=analytics_view(numbers),
        )
