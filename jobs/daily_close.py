"""The daily close, as every runner uses it: Celery's task, the CLI and the embedded runtime's thread."""

from __future__ import annotations

import logging
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import Counter, Histogram
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.commands import CloseDay
from domains.accounting.handlers import AccountingUnitOfWork, command_bus
from domains.accounting.model import DayClosed, PriceDraw
from domains.kernel.clock import counted, cycle_of, format_cents, utcnow
from domains.kernel.commands import CommandBus

log = logging.getLogger(__name__)
CHECK_EVERY_S = 60.0
CLOSE_SECONDS = Histogram(
    "ates_close_duration_seconds",
    "Time to close the due days, when at least one was closed (the last close's figures: ates_close_last_*)",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
PAID_CENTS = Counter("ates_close_paid_cents_total", "Cents paid by the closes this process ran")


def close_due(commands: CommandBus, through: date | None = None) -> list[DayClosed]:
    """Close every billing cycle that is over and still open (through `through`, default yesterday)."""
    started = clock.perf_counter()
    closed: list[DayClosed] = commands.handle(CloseDay(through=through))
    if closed:
        CLOSE_SECONDS.observe(clock.perf_counter() - started)
    for day in closed:
        PAID_CENTS.inc(day.paid_cents)
        log.info("%s", describe(day))
    return closed


def close_today_now(sessions: sessionmaker[Session], prices: PriceDraw, timezone: ZoneInfo) -> list[DayClosed]:
    """Close today as if midnight had passed (the playground's "close the day now"); later money lands tomorrow.

    Accounting's close runs on a clock of its own here, one second after midnight, hence a bus of its own."""
    today = cycle_of(utcnow(), timezone)
    after_midnight = datetime.combine(today + timedelta(days=1), time(0, 0, 1), tzinfo=timezone)
    after_today = command_bus(lambda: AccountingUnitOfWork(sessions, prices, timezone, lambda: after_midnight))
    return close_due(after_today, today)


def describe(day: DayClosed) -> str:
    carried = f", {counted(len(day.carried), 'negative balance')} carried over" if day.carried else ""
    return f"closed {day.cycle}: paid {counted(len(day.paid), 'worker')} {format_cents(day.paid_cents)}{carried}"


def run_daily_close(commands: CommandBus, stop: threading.Event, every_s: float = CHECK_EVERY_S) -> None:
    """The embedded runtime's scheduler: close what is due at start, then look again every minute."""
    while not stop.is_set():
        try:
            close_due(commands)
        except Exception:
            log.exception("the daily close failed; trying again in %.0f s", every_s)
        stop.wait(every_s)
