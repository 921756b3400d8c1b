"""Accounting's pure rules: which day money lands in, which days may close, which days users may ask about."""

from __future__ import annotations

from datetime import date

import pytest

from domains.accounting.model import (
    CycleError,
    InvalidDay,
    check_closable,
    cycles_between,
    first_open_cycle,
    landing_cycle,
    parse_day,
)

TODAY = date(2026, 11, 25)


def test_money_lands_in_its_own_day_unless_that_day_is_closed() -> None:
    assert landing_cycle(date(2026, 11, 24), None) == date(2026, 11, 24)
    assert landing_cycle(date(2026, 11, 24), date(2026, 11, 23)) == date(2026, 11, 24)
    assert landing_cycle(date(2026, 11, 20), date(2026, 11, 23)) == date(2026, 11, 24)
    assert landing_cycle(date(2026, 11, 23), date(2026, 11, 23)) == date(2026, 11, 24)


def test_the_first_open_day() -> None:
    assert first_open_cycle(None, None) is None
    assert first_open_cycle(None, date(2026, 11, 2)) == date(2026, 11, 2)
    assert first_open_cycle(date(2026, 11, 5), date(2026, 11, 2)) == date(2026, 11, 6)


def test_only_a_day_that_is_over_and_next_in_line_closes() -> None:
    check_closable(date(2026, 11, 24), TODAY, date(2026, 11, 24))
    check_closable(date(2026, 11, 20), TODAY, None)
    with pytest.raises(CycleError, match="not over yet"):
        check_closable(TODAY, TODAY, TODAY)
    with pytest.raises(CycleError, match="2026-11-22 must be closed before 2026-11-24"):
        check_closable(date(2026, 11, 24), TODAY, date(2026, 11, 22))


def test_cycles_between_runs_oldest_first_across_a_month_end() -> None:
    assert cycles_between(date(2026, 11, 29), date(2026, 12, 1)) == [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [("", TODAY), ("today", TODAY), (" Yesterday ", date(2026, 11, 24)), ("2026-11-20", date(2026, 11, 20))],
)
def test_days_users_may_ask_about(text: str, day: date) -> None:
    assert parse_day(text, TODAY) == day


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("last tuesday", "is not a day"),
        ("20261120", "is not a day"),
        ("2026-02-30", "is not a day"),
        ("2026-11-26", "has not happened yet"),
    ],
)
def test_days_that_are_refused(text: str, why: str) -> None:
    with pytest.raises(InvalidDay, match=why):
        parse_day(text, TODAY)
