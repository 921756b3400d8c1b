"""Billing cycles are calendar days in ATES_TIMEZONE, including the 23- and 25-hour days of daylight saving."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domains.accounting.model import CycleError
from tests.integration.ledger import Ledger

DST_DAYS = [
    ("Europe/Berlin", date(2026, 3, 29)),  # 23 hours: 02:00 -> 03:00
    ("Europe/Berlin", date(2026, 10, 25)),  # 25 hours: 03:00 -> 02:00
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
]


def local(zone: str, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(("zone", "day"), DST_DAYS)
def test_a_daylight_saving_day_closes_exactly_its_own_money(pg_url: str, zone: str, day: date) -> None:
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    ledger = Ledger.on(pg_url, local(zone, before, time(23, 59, 30)), zone)
    try:
        ledger.complete(ledger.create("UEVE"), "UEVE")  # the last minute of the day before
        ledger.clock.now = local(zone, day, time(0, 0, 30))  # the first minute of the day
        first = ledger.create("UDAY")
        ledger.clock.now = local(zone, day, time(23, 59, 30))  # the last minute: 23 or 25 hours later
        ledger.complete(first, "UDAY")
        owed = sum(r.amount_cents for r in ledger.records() if r.user_id == "UDAY")
        with pytest.raises(CycleError, match="not over yet"):
            ledger.close_day(day)
        ledger.clock.now = local(zone, after, time(0, 0, 40))
        ledger.complete(ledger.create("UNEXT"), "UNEXT")  # the next day, before its close runs
        ledger.clock.now = local(zone, after, time(0, 1))

        closed = ledger.close_due()

        assert [(c.cycle, set(c.paid)) for c in closed] == [(before, {"UEVE"}), (day, {"UDAY"})]
        assert closed[1].paid["UDAY"] == owed
        assert {r.user_id: r.billing_cycle for r in ledger.records("deposit")} == {
            "UEVE": before,
            "UDAY": day,
            "UNEXT": after,
        }
    finally:
        ledger.dispose()
