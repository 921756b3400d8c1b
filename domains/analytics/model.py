"""Analytics' rules, no I/O: spans of days (a day, an ISO week, a calendar month) and what is counted."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

SpanKind = Literal["day", "week", "month", "span"]
CHART_DAYS = 30
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # only this ISO form (fromisoformat reads week dates too)


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

    def days_through(self, today: date) -> list[date]:
        """The span's days up to `today`: the rest of a week or month has no numbers yet."""
        return [day for day in self.days() if day <= today]

    @property
    def text(self) -> str:
        """How to ask for this span again, e.g. in a page button's value."""
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"week {year}-W{week:02d} ({self.first.isoformat()} to {self.last.isoformat()})"
        if self.kind == "month":
            return self.first.strftime("%B %Y")
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def day_of(cycle: date) -> Span:
    return Span("day", cycle, cycle)


def week_of(cycle: date) -> Span:
    """The ISO week (Monday to Sunday) a cycle falls in."""
    monday = cycle - timedelta(days=cycle.weekday())
    return Span("week", monday, monday + timedelta(days=6))


def month_of(cycle: date) -> Span:
    last_day = calendar.monthrange(cycle.year, cycle.month)[1]
    return Span("month", cycle.replace(day=1), cycle.replace(day=last_day))


def chart_days(cycle: date, count: int = CHART_DAYS) -> Span:
    """The `count` cycles ending with `cycle`, for the earnings chart."""
    return Span("day", cycle - timedelta(days=count - 1), cycle)


def management_earnings(fees_cents: int, rewards_cents: int) -> int:
    """Fees charged minus rewards paid: negative when workers earned more than they paid."""
    return fees_cents - rewards_cents


def parse_span(text: str, today: date) -> Span:
    """`` (today), `2026-11-20`, `week [2026-11-20]`, `month [2026-11 | 2026-11-20]`, `2026-11-01..2026-11-20`.

    Refused: what is not a date, a span ending before it starts or longer than a year, a day after `today`.
    """
    span = _read_span(text.split(), today)  # as typed, so that a refusal names the words typed
    future = span.first if span.first > today else span.last if span.kind in ("day", "span") else today
    if future > today:
        raise InvalidSpan(f"{future.isoformat()} is in the future (today is {today.isoformat()}).")
    return span


def _read_span(words: list[str], today: date) -> Span:
    if not words:
        return day_of(today)
    kind = words[0].lower()
    if len(words) > 2 or (len(words) == 2 and kind not in ("week", "month")):
        raise InvalidSpan(f"I can't read '{' '.join(words)}'.")
    if kind == "week":
        return week_of(_date(words[1]) if len(words) == 2 else today)
    if kind == "month":
        return month_of(_month(words[1]) if len(words) == 2 else today)
    if ".." in words[0]:
        return _span(*words[0].split("..", 1))
    return day_of(_date(words[0]))


def _span(start: str, end: str) -> Span:
    first, last = _date(start), _date(end)
    if last < first:
        raise InvalidSpan(f"The span ends ({last.isoformat()}) before it starts ({first.isoformat()}).")
    if last >= _a_year_after(first):
        raise InvalidSpan(f"The span is {(last - first).days + 1} days long; ask for a year at most.")
    return Span("span", first, last)


def _a_year_after(day: date) -> date:
    """The same date a year later (a 29 February's is 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, month=3, day=1)


def _date(word: str) -> date:
    try:
        return date.fromisoformat(word) if _DAY.fullmatch(word) else _bad(word)
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
    raise InvalidSpan(f"'{word}' is not a date (YYYY-MM-DD) or a month (YYYY-MM).")
