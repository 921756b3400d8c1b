"""Block Kit for the money: the payout DM and the `/accounting` view, within Slack's limits."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks import audit_line, header, plain, render, section
from domains.accounting.queries import AuditLine, BalancesPage, Statement, WorkerBalance
from domains.kernel.clock import format_cents
from domains.kernel.contracts import BalanceCarriedOver, UserPaid

PAGE_ACTION = "accounting_page"
BALANCES_PER_PAGE = 50
_ROWS_PER_SECTION = 5  # a section holds at most 10 fields: 5 rows of a name and a balance
_DAYS_PER_SECTION = 62  # a year of days in 6 sections, each under a section's 3,000 characters
LOG_SHOWN = 30  # `/balance`: the day's last lines, and up to a third as many booked later, within 50 blocks


def day_label(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def payout_text(payout: UserPaid | BalanceCarriedOver) -> str:
    """What a worker is told when their day closes, worded for a day in the plus, at zero or in the minus."""
    return f"{earned_text(payout.earned_cents, day_label(payout.billing_cycle))} {_outcome(payout)}"


def earned_text(earned_cents: int, day: str) -> str:
    if earned_cents > 0:
        return f"You earned {format_cents(earned_cents)} on {day} (rewards minus fees)."
    if earned_cents < 0:
        return f"On {day} your fees came to {format_cents(-earned_cents)} more than your rewards."
    return f"On {day} your rewards and fees came to {format_cents(0)}: nothing earned, nothing lost."


def _outcome(payout: UserPaid | BalanceCarriedOver) -> str:
    if isinstance(payout, UserPaid):
        return f"Your balance of {format_cents(payout.amount_cents)} was paid to you; it starts again from $0.00."
    if payout.balance_cents < 0:
        return f"Nothing was paid: your balance of {format_cents(payout.balance_cents)} carries over to the next day."
    return f"Nothing was paid: your balance is {format_cents(0)}."


def payout_dm(payout: UserPaid | BalanceCarriedOver) -> list[dict[str, Any]]:
    title = "Payday" if isinstance(payout, UserPaid) else "Day closed"
    return render([header(f"{title}: {day_label(payout.billing_cycle)}"), section(payout_text(payout))])


def accounting_view(
    last: date, earnings: list[tuple[date, int]], balances: BalancesPage, booked_next: int = 0
) -> list[dict[str, Any]]:
    """Management's earnings on `last` (and what a close that ran early booked into the day after) and for
    each of the days before asked for, then one page of every balance."""
    (_, earned_last), *past = earnings
    blocks: list[Block] = [
        header("Company money"),
        SectionBlock(
            text=MarkdownTextObject(text=f"*Management's earnings* on {day_label(last)}: *{format_cents(earned_last)}*")
        ),
        *_booked(last + timedelta(days=1), booked_next),
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
        blocks.append(SectionBlock(fields=[field for row in chunk for field in _balance_fields(row)]))
    if balances.pages > 1:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Page {balances.page} of {balances.pages}")]))
        blocks.append(_page_buttons(balances))
    return render(blocks)


def _booked(tomorrow: date, cents: int) -> list[Block]:
    if not cents:
        return []
    text = f"*Booked into {day_label(tomorrow)}*: {format_cents(cents)}, earned after today's close already ran"
    return [section(text)]


def _balance_fields(row: WorkerBalance) -> list[PlainTextObject]:
    """A worker's name as they wrote it (plain text: nothing formats, nothing pings) and their balance."""
    return [plain(row.name, 2000), PlainTextObject(text=format_cents(row.balance_cents))]


def _page_buttons(balances: BalancesPage) -> ActionsBlock:
    buttons = []
    if balances.page > 1:
        buttons.append(ButtonElement(text="Previous", action_id=f"{PAGE_ACTION}_prev", value=str(balances.page - 1)))
    if balances.page < balances.pages:
        buttons.append(ButtonElement(text="Next", action_id=f"{PAGE_ACTION}_next", value=str(balances.page + 1)))
    return ActionsBlock(elements=buttons)


def balance_blocks(statement: Statement, timezone: ZoneInfo, *, today: bool, shown: int = LOG_SHOWN) -> list[Block]:
    """A balance above the lines that make it, every cent: what came before the day, the day's lines (the
    earliest summed up when there are many) and, for today, what a close that already ran booked into later days."""
    day = "today" if today else day_label(statement.cycle)
    title = "Balance" if today else f"Balance at the end of {day}"
    blocks: list[Block] = [header(f"{title}: {format_cents(statement.end_cents)}"), DividerBlock()]
    if statement.before_cents:
        blocks.append(section(f"Brought forward from before {day}: {format_cents(statement.before_cents)}"))
    if not statement.lines and not statement.later:
        blocks.append(section(f"Nothing on your account {_on(day)}."))
    blocks += _log(statement.lines, timezone, shown, day)
    for cycle, lines in groupby(statement.later, key=lambda line: line.billing_cycle):
        assert cycle is not None
        booked = f"*Booked into {day_label(cycle)}*: today's close already ran when these happened."
        blocks += [section(booked), *_log(list(lines), timezone, max(1, shown // 3), day_label(cycle))]
    return blocks


def _log(lines: list[AuditLine], timezone: ZoneInfo, shown: int, day: str) -> list[Block]:
    """The last `shown` lines, after one line that sums up the earlier ones."""
    earlier, last = lines[: max(0, len(lines) - shown)], lines[-shown:]
    blocks: list[Block] = []
    if earlier:
        total = format_cents(sum(line.amount_cents for line in earlier))
        blocks.append(section(f"{len(earlier)} earlier lines {_on(day)}, together: {total}"))
    return blocks + [audit_line(line, timezone) for line in last]


def _on(day: str) -> str:
    return day if day == "today" else f"on {day}"


def balance_view(statement: Statement, timezone: ZoneInfo, *, today: bool) -> list[dict[str, Any]]:
    """`/balance`: the balance now (or at the end of a past day) and the lines that make it."""
    return render(balance_blocks(statement, timezone, today=today))
