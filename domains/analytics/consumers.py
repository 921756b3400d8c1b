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
from domains.kernel import contracts
from domains.kernel.consumer import Subscription

GROUP = "analytics"
TOPICS = (contracts.TASKS, contracts.TASK_LIFECYCLE, contracts.PRICES, contracts.TRANSACTIONS, contracts.AUDIT_RECORDS)


def subscription(sessions: sessionmaker[Session], timezone: ZoneInfo) -> Subscription[AnalyticsUnitOfWork]:
    return Subscription(
        group=GROUP,
        topics=TOPICS,
        handlers={
            contracts.TaskCreatedV2: on_task_data,
            contracts.TaskUpdatedV2: on_task_data,
            contracts.TaskDeleted: on_task_deleted,
            contracts.TaskCompleted: on_task_completed,
            contracts.TaskPriceCreated: on_price,
            contracts.PriceAssigned: on_price,
            contracts.UserWithdrawn: on_fee_charged,
            contracts.UserBalanceIncreased: on_reward_paid,
            contracts.AuditRecordCreated: on_audit_record,
        },
        # Who holds a task, and what a close paid or carried over, change no figure analytics keeps:
        # balances come from the audit records.
        ignores=frozenset(
            {contracts.TaskAssigned, contracts.ShuffleCompleted, contracts.UserPaid, contracts.BalanceCarriedOver}
        ),
        unit_of_work=lambda: AnalyticsUnitOfWork(sessions, timezone),
    )
