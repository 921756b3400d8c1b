"""A balance is shown only above lines that add up to it, every cent, even after a close that ran early."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.accounting_blocks import balance_blocks, balance_view
from bot.blocks import render
from bot.home_view import HomeData, home_view
from domains.accounting.handlers import AccountingUnitOfWork, close_day
from domains.accounting.queries import audit_check, balance_of, statement
from domains.identity.model import UserView
from tests.fakes.slack_text import header_and_lines, shown_text
from tests.integration.ledger import Ledger

DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def ledger(pg_url: str) -> Iterator[Ledger]:
    running = Ledger.on(pg_url, NOON - timedelta(days=1))
    yield running
    running.dispose()


def a_day_closed_early_then_more_work(ledger: Ledger) -> None:
    ledger.create("U1")  # yesterday: a fee, carried over negative
    ledger.clock.advance(days=1)
    ledger.close_day(DAY - timedelta(days=1))
    for _ in range(3):
        ledger.complete(ledger.create("U1"), "U1")
    after_midnight = datetime(2026, 11, 21, 0, 0, 1, tzinfo=UTC)  # the playground's "close the day now"
    close_day(AccountingUnitOfWork(ledger.sessions, ledger.prices, ledger.timezone, lambda: after_midnight), DAY)
    ledger.clock.advance(hours=1)
    ledger.create("U1")  # after the close: booked into tomorrow's cycle
    ledger.create("U1")


def test_after_an_early_close_the_balance_adds_up_from_the_lines_shown(ledger: Ledger) -> None:
    a_day_closed_early_then_more_work(ledger)

    shown = balance_view(statement(ledger.sessions, "U1", DAY, later=True), ledger.timezone, today=True)

    balance, summed, lines = header_and_lines(shown)
    assert balance == summed == balance_of(ledger.sessions, "U1") != 0
    assert any(line.startswith("Brought forward from before today: -$") for line in lines)
    [booked] = [n for n, line in enumerate(lines) if line.startswith("*Booked into Sat 21 Nov 2026*: today's close")]
    assert [line.split(" ")[1] for line in lines[booked + 1 :]] == ["Fee", "Fee"]
    kinds = [line.split(" ")[1] for line in lines[1:booked]]
    assert sorted(kind for kind in kinds if kind != "Payout") == ["Fee"] * 3 + ["Reward"] * 3
    assert audit_check(ledger.sessions) == []


def test_a_long_day_sums_up_its_earlier_lines_and_still_adds_up(ledger: Ledger) -> None:
    a_day_closed_early_then_more_work(ledger)
    today = statement(ledger.sessions, "U1", DAY, later=True)

    short = render(balance_blocks(today, ledger.timezone, today=True, shown=2))

    balance, summed, _ = header_and_lines(short)
    assert balance == summed == today.end_cents
    assert f"{len(today.lines) - 2} earlier lines today, together: " in shown_text(short)
    actor = UserView("U1", "Alice", None, None, "worker", True)
    home = home_view(HomeData(actor, [], 0, [], today, ledger.timezone)).to_dict()["blocks"]
    start = next(n for n, block in enumerate(home) if block["type"] == "header" and "Balance" in block["text"]["text"])
    end = max(n for n, block in enumerate(home) if block["type"] == "divider")  # the commands follow it
    assert header_and_lines(home[start:end])[:2] == (today.end_cents, today.end_cents)


def test_a_past_day_shows_the_balance_it_ended_with(ledger: Ledger) -> None:
    a_day_closed_early_then_more_work(ledger)
    yesterday = statement(ledger.sessions, "U1", DAY - timedelta(days=1), later=False)

    balance, summed, lines = header_and_lines(balance_view(yesterday, ledger.timezone, today=False))

    assert balance == summed == yesterday.end_cents < 0
    assert shown_text(balance_view(yesterday, ledger.timezone, today=False)).startswith(
        "Balance at the end of Thu 19 Nov 2026: -$"
    )
    assert [line.split(" ")[1] for line in lines] == ["Fee"]
