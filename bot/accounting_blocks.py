"""Block Kit for the money: the payout DM and the `/accounting` view, within Slack's limits."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks import escape, render
from domains.accounting.queries import BalancesPage
from domains.kernel.clock import format_cents
from domains.kernel.contracts import BalanceCarriedOver, UserPaid

PAGE_ACTION = "accounting_page"
BALANCES_PER_PAGE = 50
_ROWS_PER_SECTION = 10  # 10 names of up to 200 characters stay under a section's 3,000
_DAYS_PER_SECTION = 62  # a year of days in 6 sections, each under a section's 3,000 characters


def day_label(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def payout_text(payout: UserPaid | BalanceCarriedOver) -> str:
    """What a worker is told when their day closes."""
    earned = f"You earned {format_cents(payout.earned_cents)} on {day_label(payout.billing_cycle)} (rewards − fees)"
    if isinstance(payout, UserPaid):
        return f"{earned} and were paid {format_cents(payout.amount_cents)}."
    return (
        f"{earned}. Nothing was paid: your balance of {format_cents(payout.balance_cents)} "
        "carries over to the next day."
    )


def payout_dm(payout: UserPaid | BalanceCarriedOver) -> list[dict[str, Any]]:
    title = "Payday" if isinstance(payout, UserPaid) else "Day closed"
    return render(
        [
            HeaderBlock(text=f"{title}: {day_label(payout.billing_cycle)}"),
            SectionBlock(text=MarkdownTextObject(text=payout_text(payout))),
        ]
    )


def accounting_view(last: date, earnings: list[tuple[date, int]], balances: BalancesPage) -> list[dict[str, Any]]:
    """Management's earnings on `last` and for each of the days before asked for, then one page of every balance."""
    (_, earned_last), *past = earnings
    blocks: list[Block] = [
        HeaderBlock(text="Company money"),
        SectionBlock(
            text=MarkdownTextObject(text=f"*Management's earnings* on {day_label(last)}: *{format_cents(earned_last)}*")
        ),
    ]
    for start in range(0, len(past), _DAYS_PER_SECTION):
        history = "\n".join(
            f"`{day_label(day)}`  {format_cents(cents)}" for day, cents in past[start : start + _DAYS_PER_SECTION]
        )
        heading = f"*The {len(past)} days before* (fees − rewards)\n" if start == 0 else ""
        blocks.append(SectionBlock(text=MarkdownTextObject(text=heading + history)))
    blocks += [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=f"*Balances* ({balances.total} accounts)")),
    ]
    if not balances.rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No workers yet.")))
    for start in range(0, len(balances.rows), _ROWS_PER_SECTION):
        chunk = balances.rows[start : start + _ROWS_PER_SECTION]
        lines = "\n".join(f"{escape(row.name)}: {format_cents(row.balance_cents)}" for row in chunk)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=lines)))
    if balances.pages > 1:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Page {balances.page} of {balances.pages}")]))
        blocks.append(_page_buttons(balances))
    return render(blocks)


def _page_buttons(balances: BalancesPage) -> ActionsBlock:
    buttons = []
    if balances.page > 1:
        buttons.append(ButtonElement(text="Previous", action_id=f"{PAGE_ACTION}_prev", value=str(balances.page - 1)))
    if balances.page < balances.pages:
        buttons.append(ButtonElement(text="Next", action_id=f"{PAGE_ACTION}_next", value=str(balances.page + 1)))
    return ActionsBlock(elements=buttons)
