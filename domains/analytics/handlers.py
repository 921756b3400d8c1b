"""Analytics' event handlers: each folds one fact into analytics' own tables, whatever order facts arrive in."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func
from sqlalchemy.orm import Session, sessionmaker

from domains.analytics.tables import (
    Balance,
    CompletedTask,
    CycleEarnings,
    DayBalance,
    inbox,
    metadata,
    outbox,
)
from domains.kernel.clock import cycle_of
from domains.kernel.contracts import (
    AuditRecordCreated,
    PriceAssigned,
    TaskCompleted,
    TaskCreatedV2,
    TaskDeleted,
    TaskPriceCreated,
    TaskUpdatedV2,
    UserBalanceIncreased,
    UserWithdrawn,
)
from domains.kernel.db import dialect_insert, table_of, upsert
from domains.kernel.events import Event
from domains.kernel.unit_of_work import UnitOfWork

PRODUCER = "analytics"


class AnalyticsUnitOfWork(UnitOfWork):
    """Analytics' unit of work also knows the company's time zone, to date completions by billing cycle."""

    def __init__(self, sessions: sessionmaker[Session], timezone: ZoneInfo) -> None:
        super().__init__(sessions, PRODUCER, outbox, inbox)
        self.timezone = timezone


def on_task_data(uow: UnitOfWork, payload: TaskCreatedV2 | TaskUpdatedV2, _event: Event) -> None:
    """Keep a task's title and Jira id (TaskCreated and TaskUpdated, v1 and v2)."""
    _save_task(uow, payload.task_id, title=payload.title, jira_id=payload.jira_id)


def on_task_deleted(uow: UnitOfWork, payload: TaskDeleted, _event: Event) -> None:
    """A deleted task keeps counting (its money moved), marked as deleted."""
    _save_task(uow, payload.task_id, deleted=True)


def on_price(uow: UnitOfWork, payload: TaskPriceCreated | PriceAssigned, _event: Event) -> None:
    """Keep a task's reward (TaskPriceCreated and PriceAssigned carry the same, never-changing prices)."""
    _save_task(uow, payload.task_id, reward_cents=payload.reward_cents)


def on_task_completed(uow: AnalyticsUnitOfWork, payload: TaskCompleted, _event: Event) -> None:
    """Date the completion by the company's calendar, until its reward says which billing cycle it counted in."""
    table = table_of(CompletedTask)
    cycle = cycle_of(payload.completed_at, uow.timezone)
    statement = dialect_insert(uow.session, table).values(
        task_id=str(payload.task_id), completed_at=payload.completed_at, completed_cycle=cycle
    )
    kept_cycle = func.coalesce(table.c.completed_cycle, statement.excluded.completed_cycle)
    uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=["task_id"],
            set_={"completed_at": statement.excluded.completed_at, "completed_cycle": kept_cycle},
        )
    )


def on_fee_charged(uow: UnitOfWork, payload: UserWithdrawn, _event: Event) -> None:
    _add(
        uow.session,
        table_of(CycleEarnings),
        {"billing_cycle": payload.billing_cycle},
        "fees_cents",
        payload.amount_cents,
    )


def on_reward_paid(uow: UnitOfWork, payload: UserBalanceIncreased, _event: Event) -> None:
    """A reward counts in its billing cycle, and so does its task among that day's most expensive: a day closed
    early (the playground's "close the day now") counts later completions in the next day, as accounting does."""
    key = {"billing_cycle": payload.billing_cycle}
    _add(uow.session, table_of(CycleEarnings), key, "rewards_cents", payload.amount_cents)
    _save_task(uow, payload.task_id, completed_cycle=payload.billing_cycle)


def on_audit_record(uow: UnitOfWork, payload: AuditRecordCreated, _event: Event) -> None:
    """A balance is the sum of its audit records (withdrawals and payments are negative amounts).

    Kept per day too, for balances as of a day's end, and counted per day, to know when a closed day is complete.
    """
    amount, cycle = payload.amount_cents, payload.billing_cycle
    _add(uow.session, table_of(Balance), {"user_id": payload.user_id}, "balance_cents", amount)
    day_key = {"user_id": payload.user_id, "billing_cycle": cycle}
    _add(uow.session, table_of(DayBalance), day_key, "change_cents", amount)
    _add(uow.session, table_of(CycleEarnings), {"billing_cycle": cycle}, "audit_records", 1)


def reset(sessions: sessionmaker[Session]) -> None:
    """Empty every analytics table, inbox included, so a replay rebuilds them from the first event."""
    with sessions() as session, session.begin():
        for table in reversed(metadata.sorted_tables):
            if table is not outbox:
                session.execute(delete(table))


def _save_task(uow: UnitOfWork, task_id: object, **values: Any) -> None:
    table = table_of(CompletedTask)
    statement = upsert(uow.session, table, ["task_id"], list(values))
    uow.session.execute(statement.values(task_id=str(task_id), **values))


def _add(session: Session, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
    """Add to a counter, creating its row at that amount."""
    statement = dialect_insert(session, table).values(**key, **{column: amount})
    index = list(key)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=index, set_={column: table.c[column] + statement.excluded[column]}
        )
    )
