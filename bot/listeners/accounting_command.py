"""`/accounting`: admins and accountants see management's earnings and every worker's balance, paged."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.accounting_blocks import BALANCES_PER_PAGE, PAGE_ACTION, accounting_view
from bot.services import Services
from domains.accounting.queries import balances_page, earnings_by_day
from domains.identity.model import UserView, can_see_accounting
from domains.kernel.clock import cycle_of, utcnow

REFUSAL = "Only admins and accountants can see the company's money."
USAGE = (
    "*How to use `/accounting`*\n• `/accounting`: earnings and the first page of balances.\n• `/accounting 2`: page 2."
)
DAYS_SHOWN = 8  # today and each of the 7 days before


def register(app: App, services: Services) -> None:
    def view(page: int) -> tuple[str, list[dict[str, Any]]]:
        today = cycle_of(utcnow(), services.settings.timezone)
        earnings = earnings_by_day(services.sessions, today, DAYS_SHOWN)
        balances = balances_page(services.sessions, page, BALANCES_PER_PAGE)
        return "Company money: earnings and balances", accounting_view(today, earnings, balances)

    @app.command("/accounting")
    def accounting_command(ack: Ack, command: dict[str, str], respond: Respond, context: BoltContext) -> None:
        """Refuse anyone but admins and accountants; show them earnings and one page of balances."""
        actor: UserView = context["actor"]
        if not can_see_accounting(actor.role):
            ack(response_type="ephemeral", text=REFUSAL)
            return
        words = command.get("text", "").strip().lower().removeprefix("page").strip()
        if words and not (words.isdigit() and int(words) >= 1):
            ack(response_type="ephemeral", text=USAGE)
            return
        ack()
        text, blocks = view(int(words or 1))
        respond(response_type="ephemeral", text=text, blocks=blocks)

    @app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$"))
    def page_clicked(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Show another page of balances in place (the role is checked again: roles change)."""
        ack()
        actor: UserView = context["actor"]
        if not can_see_accounting(actor.role):
            respond(response_type="ephemeral", replace_original=False, text=REFUSAL)
            return
        text, blocks = view(int(action["value"]) if str(action.get("value", "")).isdigit() else 1)
        respond(response_type="ephemeral", replace_original=True, text=text, blocks=blocks)
