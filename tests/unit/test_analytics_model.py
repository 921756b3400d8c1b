"""Analytics' spans: a day, an ISO week, a calendar month or any span up to a year, never in the future."""

from __future__ import annotations

from datetime import date

import pytest

from domains.analytics.model import (
    InvalidSpan,
    Span,
    chart_days,
    day_of,
    management_earnings,
    month_of,
    parse_span,
    week_of,
)


def test_an_iso_week_runs_monday_to_sunday_across_a_month_end() -> None:
    week = week_of(date(2026, 12, 2))  # a Wednesday
    assert (week.first, week.last) == (date(2026, 11, 30), date(2026, 12, 6))
    assert len(week.days()) == 7
    assert week.label == "week 2026-W49 (2026-11-30 to 2026-12-06)"


def test_an_iso_week_can_belong_to_the_year_before() -> None:
    assert week_of(date(2027, 1, 1)).label == "week 2026-W53 (2026-12-28 to 2027-01-03)"


def test_a_month_is_the_calendar_month_leap_days_included() -> None:
    february = month_of(date(2028, 2, 10))
    assert (february.first, february.last) == (date(2028, 2, 1), date(2028, 2, 29))
    assert february.label == "February 2028"


def test_a_span_lists_its_days_up_to_today() -> None:
    month = month_of(date(2026, 11, 20))
    assert month.days_through(date(2026, 11, 3)) == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert len(month.days_through(date(2026, 12, 9))) == 30


def test_the_chart_covers_thirty_days_ending_with_the_cycle() -> None:
    days = chart_days(date(2026, 11, 20)).days()
    assert len(days) == 30
    assert (days[0], days[-1]) == (date(2026, 10, 22), date(2026, 11, 20))


def test_earnings_are_fees_minus_rewards() -> None:
    assert management_earnings(3_000, 5_500) == -2_500


def test_what_an_admin_may_ask_for() -> None:
    today = date(2026, 11, 25)
    assert parse_span("", today) == day_of(today)
    assert parse_span(" 2026-11-20 ", today) == day_of(date(2026, 11, 20))
    assert parse_span("WEEK", today) == week_of(today)
    assert parse_span("week 2026-11-20", today) == week_of(date(2026, 11, 20))
    assert parse_span("month 2026-02", today) == month_of(date(2026, 2, 1))
    assert parse_span("month 2026-02-14", today) == month_of(date(2026, 2, 1))
    assert parse_span("month", today) == month_of(today)  # the rest of this month has no numbers yet
    span = parse_span("2026-11-01..2026-11-20", today)
    assert span == Span("span", date(2026, 11, 1), date(2026, 11, 20)) and len(span.days()) == 20
    assert span.label == "2026-11-01 to 2026-11-20"
    assert parse_span("2025-11-26..2026-11-25", today).first == date(2025, 11, 26)  # a whole year
    assert len(parse_span("2024-02-29..2025-02-28", today).days()) == 366  # a leap year


@pytest.mark.parametrize("text", ["today", "20261120", "2026-02-30", "week month", "month 2026-13", "day 2026-11-20"])
def test_what_cannot_be_read_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(InvalidSpan, match=r"can't read|is not a date"):
        parse_span(text, date(2026, 11, 25))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-11-20..2026-11-01", "The span ends (2026-11-01) before it starts (2026-11-20)."),
        ("2025-11-25..2026-11-25", "The span is 366 days long; ask for a year at most."),
        ("2024-01-01..2026-11-24", "The span is 1059 days long; ask for a year at most."),
        ("2026-11-26", "2026-11-26 is in the future (today is 2026-11-25)."),
        ("2026-11-20..2026-11-26", "2026-11-26 is in the future (today is 2026-11-25)."),
        ("week 2026-12-01", "2026-11-30 is in the future (today is 2026-11-25)."),
        ("month 2026-12", "2026-12-01 is in the future (today is 2026-11-25)."),
        ("2026-11-01..", "'' is not a date (YYYY-MM-DD) or a month (YYYY-MM)."),
        ("2026-11-1..2026-11-20", "'2026-11-1' is not a date (YYYY-MM-DD) or a month (YYYY-MM)."),
    ],
)
def test_a_span_that_cannot_be_asked_for_says_why_in_one_line(text: str, reason: str) -> None:
    with pytest.raises(InvalidSpan) as refused:
        parse_span(text, date(2026, 11, 25))
    assert str(refused.value) == reason
