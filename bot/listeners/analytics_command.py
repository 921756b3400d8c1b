"""`/analytics`: admins see management's earnings, workers in the negative and the most expensive tasks, per day."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.analytics_view import PAGE_ACTION, analytics_summary, analytics_view, read_page_value
from bot.listeners.later import ack_or_refuse, answered, just_ack
from bot.listeners.middleware import services_of
from bot.replies import Refusal
from domains.analytics.model import InvalidSpan, Span, parse_span
from domains.analytics.queries import report
from domains.identity.model import UserView, can_see_analytics

USAGE = (
    "*How to use `/analytics`* (admins only)\n"
    "• `/analytics`: today.\n"
    "• `/analytics 2026-11-20`: that day (YYYY-MM-DD).\n"
    "• `/analytics week` or `/analytics week 2026-11-20`: an ISO week, Monday to Sunday.\n"
    "• `/analytics month` or `/analytics month 2026-11`: a calendar month.\n"
    "• `/analytics 2026-11-01..2026-11-20`: any span of up to a year, both days included.\n"
    "Each day shows management's earnings, the workers in the negative at its end and its most expensive task."
)
REFUSAL = "Analytics is for admins only."


def asked(command: dict[str, str], context: BoltContext) -> Span | str | Refusal:
    """The span asked for, or why it is refused."""
    actor: UserView = context["actor"]
    if not can_see_analytics(actor.role):
        return REFUSAL
    text = command.get("text", "").strip()
    if text.lower() == "help":
        return USAGE
    try:
        return parse_span(text, services_of(context).today())
    except InvalidSpan as refusal:
        return Refusal(str(refusal), USAGE)


def acknowledge(ack: Ack, command: dict[str, str], context: BoltContext) -> None:
    """Refuse anyone but admins, and answer help or a span it cannot read, at once."""
    span = asked(command, context)
    ack_or_refuse(ack, None if isinstance(span, Span) else span)


def show(body: dict[str, Any], command: dict[str, str], respond: Respond, context: BoltContext) -> None:
    """After the ack: the numbers for the span's days, the first page of them."""
    services = services_of(context)
    with answered(body, context):
        span = asked(command, context)
        if isinstance(span, Span):
            numbers = report(services.sessions, span, services.today())
            respond(response_type="ephemeral", text=analytics_summary(numbers), blocks=analytics_view(numbers))


def page_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Another page of days, in place (the role is checked again: roles change)."""
    actor: UserView = context["actor"]
    services = services_of(context)
    with answered(body, context):
        if not can_see_analytics(actor.role):
            respond(response_type="ephemeral", replace_original=False, text=REFUSAL)
            return
        span, page = read_page_value(str(action.get("value", "")))
        numbers = report(services.sessions, span, services.today())
        blocks = analytics_view(numbers, page)
        respond(response_type="ephemeral", replace_original=True, text=analytics_summary(numbers), blocks=blocks)


def register(app: App) -> None:
    app.command("/analytics")(ack=acknowledge, lazy=[show])
    app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$"))(ack=just_ack, lazy=[page_clicked])
