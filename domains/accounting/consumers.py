"""Accounting's consumer group: task data and task lifecycle events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.handlers import (
    AccountingUnitOfWork,
    on_task_assigned,
    on_task_completed,
    on_task_created,
    on_task_updated,
)
from domains.accounting.model import PriceDraw
from domains.kernel.clock import utcnow
from domains.kernel.consumer import Subscription
from domains.kernel.contracts import TASK_LIFECYCLE, TASKS

GROUP = "accounting"


def subscription(
    sessions: sessionmaker[Session], prices: PriceDraw, timezone: ZoneInfo, clock: Callable[[], datetime] = utcnow
) -> Subscription:
    return Subscription(
        group=GROUP,
        topics=(TASKS, TASK_LIFECYCLE),
        handlers={
            "TaskCreated": on_task_created,
            "TaskUpdated": on_task_updated,
            "TaskAssigned": on_task_assigned,
            "TaskCompleted": on_task_completed,
        },
        unit_of_work=lambda: AccountingUnitOfWork(sessions, prices, timezone, clock),
    )
