"""Time and billing cycles: a cycle is one calendar day in the company's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunningClock:
    """A clock that started at a chosen moment and runs on at the real pace (for demos and tests that must not
    depend on today's date). Picklable, so Celery beat can keep a schedule that reads it."""

    offset: timedelta

    @classmethod
    def starting_at(cls, start: datetime) -> RunningClock:
        return cls(start - utcnow())

    def __call__(self) -> datetime:
        return utcnow() + self.offset


def as_utc(moment: datetime) -> datetime:
    """A moment read back from the database: SQLite keeps no time zone, and aTES writes UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cycle_of(moment: datetime, timezone: ZoneInfo) -> date:
    """The billing cycle (local calendar day) that a moment belongs to."""
    return as_utc(moment).astimezone(timezone).date()


def counted(count: int, noun: str) -> str:
    """`1 worker`, `2 workers`: a count as people read it."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_cents(cents: int) -> str:
    """Render integer cents as dollars, e.g. -1250 -> '-$12.50'."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"
