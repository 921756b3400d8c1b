"""Analytics' rules, no I/O: spans of days (a day, an ISO week, a calendar month) and what is counted."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

SpanKind = Literal["day", "week", "month"]
CHART_DAYS = 30


class InvalidSpan(Exception):
    """A span asked for that cannot be read; the message says what was wrong."""


@dataclass(frozen=True)
class Span:
    """Consecutive billing cycles, both ends included."""

    kind: SpanKind
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"week {year}-W{week:02d} ({self.first.isoformat()} to {self.last.isoformat()})"
        return self.first.strftime("%B %Y")


def day_of(cycle: date) -> Span:
    return Span("day", cycle, cycle)


def week_of(cycle: date) -> Span:
    """The ISO week (Monday to Sunday) a cycle falls in."""
    monday = cycle - timedelta(days=cycle.weekday())
    return Span("week", monday, monday + timedelta(days=6))


def month_of(cycle: date) -> Span:
    last_day = calendar.monthrange(cycle.year, cycle.month)[1]
    return Span("month", cycle.replace(day=1), cycle.replace(day=last_day))


def enclosing_spans(span: Span) -> list[Span]:
    """The spans whose most expensive task is shown with `span`: a day also gets its week and month."""
    if span.kind == "day":
        return [span, week_of(span.first), month_of(span.first)]
    return [span]


def chart_days(cycle: date, count: int = CHART_DAYS) -> Span:
    """The `count` cycles ending with `cycle`, for the earnings chart."""
    return Span("day", cycle - timedelta(days=count - 1), cycle)


def management_earnings(fees_cents: int, rewards_cents: int) -> int:
    """Fees charged minus rewards paid: negative when workers earned more than they paid."""
    return fees_cents - rewards_cents


def parse_span(text: str, today: date) -> Span:
    """`` (today), `2026-11-20`, `week [2026-11-20]`, `month [2026-11 | 2026-11-20]`."""
    words = text.lower().split()
    if not words:
        return day_of(today)
    if len(words) > 2 or (len(words) == 2 and words[0] not in ("week", "month")):
        raise InvalidSpan(f"I can't read {text.strip()!r}.")
    if words[0] == "week":
        return week_of(_date(words[1]) if len(words) == 2 else today)
    if words[0] == "month":
        return month_of(_month(words[1]) if len(words) == 2 else today)
    return day_of(_date(words[0]))


def _date(word: str) -> date:
    try:
        return date.fromisoformat(word) if len(word) == 10 else _bad(word)
    except ValueError:
        return _bad(word)


def _month(word: str) -> date:
    if len(word) == 7:
        try:
            return datetime.strptime(word, "%Y-%m").date()
        except ValueError:
            return _bad(word)
    return _date(word)


def _bad(word: str) -> date:
    raise InvalidSpan(f"{word!r} is not a date (YYYY-MM-DD) or a month (YYYY-MM).")
