"""`/accounting`: admins and accountants see management's earnings and every worker's balance, paged."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.accounting_blocks import BALANCES_PER_PAGE, PAGE_ACTION, accounting_view
from bot.listeners.later import ack_or_refuse, answering, just_ack
from bot.services import Services
from domains.accounting.queries import balances_page, earnings_by_day, earnings_of
from domains.identity.model import UserView, can_see_accounting
from domains.kernel.clock import cycle_of, utcnow

REFUSAL = "Only admins and accountants can see the company's money."
USAGE = (
    "*How to use `/accounting`*\n• `/accounting`: earnings and the first page of balances.\n• `/accounting 2`: page 2."
)
DAYS_SHOWN = 8  # today and each of the 7 days before


def register(app: App, services: Services) -> None:
    def view(page: int, *, typed: bool = False) -> tuple[str, list[dict[str, Any]]]:
        """Earnings and a page of balances; a typed page past the last is answered, a button's is clamped."""
        today = cycle_of(utcnow(), services.settings.timezone)
        earnings = earnings_by_day(services.sessions, today, DAYS_SHOWN)
        balances = balances_page(services.sessions, page, BALANCES_PER_PAGE)
        if typed and page > balances.pages:
            return past_the_end(page, balances.pages), []
        booked = earnings_of(services.sessions, today + timedelta(days=1))  # after a close that ran early
        return "Company money: earnings and balances", accounting_view(today, earnings, balances, booked)

    def acknowledge(ack: Ack, command: dict[str, str], context: BoltContext) -> None:
        """Refuse anyone but admins and accountants, and bad page numbers, at once."""
        ack_or_refuse(ack, _refusal(context["actor"], command))

    def show(command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """After the ack: earnings and one page of balances."""
        if _refusal(context["actor"], command) is None:
            text, blocks = view(int(_page_asked(command) or 1), typed=True)
            respond(response_type="ephemeral", text=text, blocks=blocks or None)

    def page_clicked(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Show another page of balances in place (the role is checked again: roles change)."""
        actor: UserView = context["actor"]
        if not can_see_accounting(actor.role):
            respond(response_type="ephemeral", replace_original=False, text=REFUSAL)
            return
        text, blocks = view(int(action["value"]) if str(action.get("value", "")).isdigit() else 1)
        respond(response_type="ephemeral", replace_original=True, text=text, blocks=blocks)

    app.command("/accounting")(ack=acknowledge, lazy=[answering(show)])
    app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$"))(ack=just_ack, lazy=[answering(page_clicked)])


def past_the_end(page: int, pages: int) -> str:
    """A page after the last one: say so, and which page is the last (nothing else is shown)."""
    only = "There is only 1 page" if pages == 1 else f"There are only {pages} pages"
    return f"{only} of balances ({BALANCES_PER_PAGE} a page), so there is no page {page}: try `/accounting {pages}`."


def _page_asked(command: dict[str, str]) -> str:
    return command.get("text", "").strip().lower().removeprefix("page").strip()


def _refusal(actor: UserView, command: dict[str, str]) -> str | None:
    if not can_see_accounting(actor.role):
        return REFUSAL
    page = _page_asked(command)
    return USAGE if page and not (page.isdigit() and int(page) >= 1) else None
