"""Accounting's handlers: prices on first sight, fees on assignment, rewards on completion, the daily close."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.closing import settle
from domains.accounting.model import (
    CycleError,
    DayClosed,
    Kind,
    PriceDraw,
    check_closable,
    cycles_between,
    first_open_cycle,
    landing_cycle,
)
from domains.accounting.tables import BOOKS_ID, Account, AuditRecord, Books, ClosedCycle, PricedTask, inbox, outbox
from domains.kernel.clock import cycle_of, utcnow
from domains.kernel.contracts import (
    AuditRecordCreated,
    PriceAssigned,
    TaskAssigned,
    TaskCompleted,
    TaskCreatedV2,
    TaskPriceCreated,
    TaskUpdatedV2,
    UserBalanceIncreased,
    UserWithdrawn,
)
from domains.kernel.db import dialect_insert, insert_if_absent, table_of
from domains.kernel.events import Event, Payload
from domains.kernel.unit_of_work import UnitOfWork

PRODUCER = "accounting"


class AccountingUnitOfWork(UnitOfWork):
    """Accounting's unit of work also knows the time, the company's time zone and the price draw."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        prices: PriceDraw,
        timezone: ZoneInfo,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(sessions, PRODUCER, outbox, inbox)
        self.prices = prices
        self.timezone = timezone
        self.clock = clock

    def today(self) -> date:
        return cycle_of(self.clock(), self.timezone)


def on_task_created(uow: UnitOfWork, payload: Payload, _event: Event) -> None:
    assert isinstance(payload, TaskCreatedV2) and isinstance(uow, AccountingUnitOfWork)
    task = priced_task(uow, payload.task_id)
    task.title, task.jira_id = payload.title, payload.jira_id


def on_task_updated(uow: UnitOfWork, payload: Payload, _event: Event) -> None:
    assert isinstance(payload, TaskUpdatedV2) and isinstance(uow, AccountingUnitOfWork)
    task = priced_task(uow, payload.task_id)
    task.title, task.jira_id = payload.title, payload.jira_id


def on_task_assigned(uow: UnitOfWork, payload: Payload, event: Event) -> None:
    """Charge the new assignee the task's fee."""
    assert isinstance(payload, TaskAssigned) and isinstance(uow, AccountingUnitOfWork)
    task = priced_task(uow, payload.task_id)
    cycle = money_cycle(uow, event)
    record = move_money(uow, payload.assignee_id, -task.fee_cents, "withdraw", task, event.event_id, cycle)
    uow.emit(
        UserWithdrawn(
            user_id=payload.assignee_id, task_id=payload.task_id, amount_cents=task.fee_cents, billing_cycle=cycle
        )
    )
    _publish_record(uow, record, task)


def on_task_completed(uow: UnitOfWork, payload: Payload, event: Event) -> None:
    """Credit the assignee the task's reward."""
    assert isinstance(payload, TaskCompleted) and isinstance(uow, AccountingUnitOfWork)
    task = priced_task(uow, payload.task_id)
    cycle = money_cycle(uow, event)
    record = move_money(uow, payload.assignee_id, task.reward_cents, "deposit", task, event.event_id, cycle)
    uow.emit(
        UserBalanceIncreased(
            user_id=payload.assignee_id, task_id=payload.task_id, amount_cents=task.reward_cents, billing_cycle=cycle
        )
    )
    _publish_record(uow, record, task)


def priced_task(uow: AccountingUnitOfWork, task_id: UUID) -> PricedTask:
    """The task with its prices, drawn now if accounting has not heard of it before."""
    session = uow.session
    task = session.get(PricedTask, str(task_id))
    if task is not None:
        return task
    prices = uow.prices.draw()
    row = {"task_id": str(task_id), "fee_cents": prices.fee_cents, "reward_cents": prices.reward_cents}
    if insert_if_absent(session, table_of(PricedTask), ["task_id"], row):
        uow.emit(TaskPriceCreated(task_id=task_id, **prices.__dict__))
        uow.emit(PriceAssigned(task_id=task_id, **prices.__dict__))
    task = session.get(PricedTask, str(task_id), populate_existing=True)
    assert task is not None
    return task


def money_cycle(uow: AccountingUnitOfWork, event: Event) -> date:
    """The cycle of the event's day, or the first open one when that day is already closed.

    The shared lock on the books makes a running close wait for this move, and this move for the close.
    """
    books = select(Books.last_closed_cycle).where(Books.id == BOOKS_ID).with_for_update(read=True)
    last_closed = uow.session.execute(books).scalar_one()
    happened = min(event.event_time, uow.clock())  # a producer's clock running ahead must not date money later
    return landing_cycle(cycle_of(happened, uow.timezone), last_closed)


def move_money(
    uow: AccountingUnitOfWork,
    user_id: str,
    amount_cents: int,
    kind: Kind,
    task: PricedTask | None,
    event_id: UUID,
    cycle: date,
) -> AuditRecord:
    """Change a balance and write its audit record, in the unit of work's transaction."""
    balance = add_to_balance(uow.session, user_id, amount_cents)
    record = AuditRecord(
        record_id=str(uuid.uuid4()),
        user_id=user_id,
        kind=kind,
        amount_cents=amount_cents,
        balance_after_cents=balance,
        task_id=task.task_id if task else None,
        billing_cycle=cycle,
        created_at=uow.clock(),
        event_id=str(event_id),
    )
    uow.session.add(record)
    return record


def add_to_balance(session: Session, user_id: str, amount_cents: int) -> int:
    """Atomically add to a balance (creating the account), returning the new balance."""
    table = table_of(Account)
    statement = dialect_insert(session, table).values(user_id=user_id, balance_cents=amount_cents)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={"balance_cents": table.c.balance_cents + statement.excluded.balance_cents},
    ).returning(table.c.balance_cents)
    return int(session.execute(statement).scalar_one())


def close_day(uow: AccountingUnitOfWork, cycle: date) -> DayClosed:
    """Close one billing cycle: pay every positive balance at its end, carry every negative one; once per cycle."""
    with uow:
        session = uow.session
        lock = select(Books.last_closed_cycle).where(Books.id == BOOKS_ID).with_for_update()
        last_closed = session.execute(lock).scalar_one()
        if last_closed is not None and cycle <= last_closed:
            return DayClosed(cycle, already_closed=True)
        check_closable(cycle, uow.today(), first_open_cycle(last_closed, _earliest_cycle(session)))
        paid, carried = settle(uow, cycle, uow.clock())
        session.execute(update(Books).where(Books.id == BOOKS_ID).values(last_closed_cycle=cycle))
        session.add(
            ClosedCycle(billing_cycle=cycle, closed_at=uow.clock(), payments=len(paid), paid_cents=sum(paid.values()))
        )
        uow.commit()
    return DayClosed(cycle, paid, carried)


def close_due_days(new_uow: Callable[[], AccountingUnitOfWork], through: date | None = None) -> list[DayClosed]:
    """Close every open cycle through `through` (default yesterday), oldest first, each in its own unit of work."""
    with new_uow() as probe:
        today = probe.today()
        last_closed = probe.session.execute(select(Books.last_closed_cycle)).scalar_one()
        first = first_open_cycle(last_closed, _earliest_cycle(probe.session))
    through = through or today - timedelta(days=1)
    if through >= today:
        raise CycleError(f"{through.isoformat()} is not over yet (today is {today.isoformat()}); nothing was changed")
    if first is None or first > through:
        return []
    closed = [close_day(new_uow(), cycle) for cycle in cycles_between(first, through)]
    return [day for day in closed if not day.already_closed]


def _earliest_cycle(session: Session) -> date | None:
    return session.execute(select(func.min(AuditRecord.billing_cycle))).scalar_one()


def _publish_record(uow: UnitOfWork, record: AuditRecord, task: PricedTask | None) -> None:
    uow.emit(
        AuditRecordCreated(
            record_id=UUID(record.record_id),
            user_id=record.user_id,
            kind=record.kind,  # type: ignore[arg-type]
            amount_cents=record.amount_cents,
            balance_after_cents=record.balance_after_cents,
            task_id=UUID(task.task_id) if task else None,
            task_title=task.title if task else None,
            jira_id=task.jira_id if task else None,
            billing_cycle=record.billing_cycle,
            created_at=record.created_at,
        )
    )
