"""Money is integer cents; a billing cycle is a local calendar day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from domains.accounting.model import FEE_CENTS, REWARD_CENTS, PriceDraw
from domains.kernel.clock import cycle_of, format_cents


def test_cents_render_as_dollars() -> None:
    assert [format_cents(c) for c in (0, 5, 1250, -1250, 123456789)] == [
        "$0.00",
        "$0.05",
        "$12.50",
        "-$12.50",
        "$1,234,567.89",
    ]


def test_a_cycle_is_the_local_day() -> None:
    late_evening_in_new_york = datetime(2026, 11, 26, 3, 30, tzinfo=UTC)
    assert cycle_of(late_evening_in_new_york, ZoneInfo("America/New_York")) == date(2026, 11, 25)
    assert cycle_of(late_evening_in_new_york, ZoneInfo("UTC")) == date(2026, 11, 26)


def test_prices_are_integer_cents_in_range_and_repeat_with_a_seed() -> None:
    draws = [PriceDraw(random.Random(5)).draw() for _ in range(2)]
    many = [PriceDraw(random.Random(n)).draw() for n in range(300)]
    assert draws[0] == draws[1]
    assert all(isinstance(p.fee_cents, int) and isinstance(p.reward_cents, int) for p in many)
    assert {FEE_CENTS[0] <= p.fee_cents <= FEE_CENTS[1] for p in many} == {True}
    assert {REWARD_CENTS[0] <= p.reward_cents <= REWARD_CENTS[1] for p in many} == {True}
