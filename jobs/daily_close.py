"""The daily close, as every runner uses it: Celery's task, the CLI and the embedded runtime's thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date

from domains.accounting.handlers import AccountingUnitOfWork, close_due_days
from domains.accounting.model import DayClosed
from domains.kernel.clock import format_cents

log = logging.getLogger(__name__)
CHECK_EVERY_S = 60.0


def close_due(new_uow: Callable[[], AccountingUnitOfWork], through: date | None = None) -> list[DayClosed]:
    """Close every billing cycle that is over and still open (through `through`, default yesterday)."""
    closed = close_due_days(new_uow, through)
    for day in closed:
        log.info("closed %s: paid %d worker(s) %s", day.cycle, len(day.paid), format_cents(day.paid_cents))
    return closed


def run_daily_close(
    new_uow: Callable[[], AccountingUnitOfWork], stop: threading.Event, every_s: float = CHECK_EVERY_S
) -> None:
    """The embedded runtime's scheduler: close what is due at start, then look again every minute."""
    while not stop.is_set():
        try:
            close_due(new_uow)
        except Exception:
            log.exception("the daily close failed; trying again in %.0f s", every_s)
        stop.wait(every_s)
