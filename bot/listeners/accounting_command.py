"""`/accounting`: admins and accountants see management's earnings and every worker's balance, paged."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.accounting_blocks import BALANCES_PER_PAGE, PAGE_ACTION, accounting_view
from bot.listeners.later import ack_or_refuse, answered, just_ack
from bot.listeners.middleware import services_of
from bot.replies import Refusal
from bot.services import Services
from domains.accounting.queries import balances_page, earnings_by_day, earnings_of
from domains.analytics.model import InvalidSpan, Span, parse_span
from domains.identity.model import UserView, can_see_accounting

REFUSAL = "Only admins and accountants can see the company's money."
USAGE = (
    "*How to use `/accounting`*\n"
    "• `/accounting`: earnings today and the 7 days before, and the first page of balances.\n"
    "• `/accounting 2`: page 2 of the balances.\n"
    "• `/accounting 2026-11-20`, `/accounting week [2026-11-20]`, `/accounting month [2026-11]` or "
    "`/accounting 2026-11-01..2026-11-20`: earnings for that day or span (up to a year), e.g. `… 2026-11 2` for page 2."
)
DAYS_SHOWN = 8  # today and each of the 7 days before


def view(services: Services, span: Span | None, page: int, *, typed: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Earnings and a page of balances; a typed page past the last is answered, a button's is clamped."""
    today = services.today()
    span = span or Span("span", today - timedelta(days=DAYS_SHOWN - 1), today)
    last = min(span.last, today)
    earnings = earnings_by_day(services.sessions, last, (last - span.first).days + 1)
    balances = balances_page(services.sessions, page, BALANCES_PER_PAGE)
    if typed and page > balances.pages:
        return past_the_end(page, balances.pages), []
    booked = earnings_of(services.sessions, today + timedelta(days=1)) if last == today else 0  # early close
    return "Company money: earnings and balances", accounting_view(last, earnings, balances, booked)


def acknowledge(ack: Ack, command: dict[str, str], context: BoltContext) -> None:
    """Refuse anyone but admins and accountants, a span it cannot read and bad page numbers, at once."""
    ack_or_refuse(ack, _refusal(context["actor"], command, services_of(context).today()))


def show(body: dict[str, Any], command: dict[str, str], respond: Respond, context: BoltContext) -> None:
    """After the ack: earnings for the day or span asked for, and one page of balances."""
    services = services_of(context)
    with answered(body, context):
        if _refusal(context["actor"], command, services.today()) is None:
            text, blocks = view(services, *_asked(command.get("text", ""), services.today()), typed=True)
            respond(response_type="ephemeral", text=text, blocks=blocks or None)


def page_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Show another page of balances in place (the role is checked again: roles change)."""
    actor: UserView = context["actor"]
    with answered(body, context):
        if not can_see_accounting(actor.role):
            respond(response_type="ephemeral", replace_original=False, text=REFUSAL)
            return
        page = int(action["value"]) if str(action.get("value", "")).isdigit() else 1
        text, blocks = view(services_of(context), None, page)
        respond(response_type="ephemeral", replace_original=True, text=text, blocks=blocks)


def register(app: App) -> None:
    app.command("/accounting")(ack=acknowledge, lazy=[show])
    app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$"))(ack=just_ack, lazy=[page_clicked])


def past_the_end(page: int, pages: int) -> str:
    """A page after the last one: say so, and which page is the last (nothing else is shown)."""
    only = "There is only 1 page" if pages == 1 else f"There are only {pages} pages"
    return f"{only} of balances ({BALANCES_PER_PAGE} a page), so there is no page {page}: try `/accounting {pages}`."


def _asked(text: str, today: date) -> tuple[Span | None, int]:
    """`[day or span] [[page] N]`: the span (None: the default days) and the page of balances."""
    words = text.split()
    page = int(words.pop()) if words and words[-1].isdigit() else 1
    if words and words[-1].lower() == "page":
        words.pop()
    if page < 1:
        raise InvalidSpan(f"There is no page {page}.")
    return (parse_span(" ".join(words), today) if words else None), page


def _refusal(actor: UserView, command: dict[str, str], today: date) -> str | Refusal | None:
    if not can_see_accounting(actor.role):
        return REFUSAL
    try:
        _asked(command.get("text", ""), today)
    except InvalidSpan as refusal:
        return Refusal(str(refusal), USAGE)
    return None
