"""Time and billing cycles: a cycle is one calendar day in the company's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def cycle_of(moment: datetime, timezone: ZoneInfo) -> date:
    """The billing cycle (local calendar day) that a moment belongs to."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(timezone).date()


def format_cents(cents: int) -> str:
    """Render integer cents as dollars, e.g. -1250 -> '-$12.50'."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"
