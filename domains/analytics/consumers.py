"""Analytics' consumer group: tasks as data, their lifecycle, their prices, money moved and the audit log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from domains.analytics.handlers import (
    AnalyticsUnitOfWork,
    on_audit_record,
    on_fee_charged,
    on_price,
    on_reward_paid,
    on_task_completed,
    on_task_data,
    on_task_deleted,
)
from domains.kernel.consumer import Subscription
from domains.kernel.contracts import (
    AUDIT_RECORDS,
    PRICES,
    TASK_LIFECYCLE,
    TASKS,
    TRANSACTIONS,
    AuditRecordCreated,
    BalanceCarriedOver,
    PriceAssigned,
    ShuffleCompleted,
    TaskAssigned,
    TaskCompleted,
    TaskCreatedV2,
    TaskDeleted,
    TaskPriceCreated,
    TaskUpdatedV2,
    UserBalanceIncreased,
    UserPaid,
    UserWithdrawn,
)

GROUP = "analytics"
TOPICS = (TASKS, TASK_LIFECYCLE, PRICES, TRANSACTIONS, AUDIT_RECORDS)


def subscription(sessions: sessionmaker[Session], timezone: ZoneInfo) -> Subscription[AnalyticsUnitOfWork]:
    return Subscription(
        group=GROUP,
        topics=TOPICS,
        handlers={
            TaskCreatedV2: on_task_data,
            TaskUpdatedV2: on_task_data,
            TaskDeleted: on_task_deleted,
            TaskCompleted: on_task_completed,
            TaskPriceCreated: on_price,
            PriceAssigned: on_price,
            UserWithdrawn: on_fee_charged,
            UserBalanceIncreased: on_reward_paid,
            AuditRecordCreated: on_audit_record,
        },
        # Who holds a task, and what a close paid or carried over, change no figure analytics keeps:
        # balances come from the audit records.
        ignores=frozenset({TaskAssigned, ShuffleCompleted, UserPaid, BalanceCarriedOver}),
        unit_of_work=lambda: AnalyticsUnitOfWork(sessions, timezone),
    )
