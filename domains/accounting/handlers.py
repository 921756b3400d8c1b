"""Accounting's handlers: prices on first sight, fees on assignment, rewards on completion, the daily close."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Self
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.closing import cycle_closed, settle
from domains.accounting.ledger import (
    KnownTask,
    Move,
    audit_record_created,
    insert_tasks,
    load_tasks,
    rename_tasks,
    write_moves,
)
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
from domains.accounting.tables import BOOKS_ID, AuditRecord, Books, ClosedCycle, inbox, outbox
from domains.kernel.clock import cycle_of, utcnow
from domains.kernel.contracts import (
    PriceAssigned,
    TaskAssigned,
    TaskCompleted,
    TaskCreatedV2,
    TaskPriceCreated,
    TaskUpdatedV2,
    UserBalanceIncreased,
    UserWithdrawn,
)
from domains.kernel.events import Event, Payload
from domains.kernel.unit_of_work import UnitOfWork

PRODUCER = "accounting"


class AccountingUnitOfWork(UnitOfWork):
    """Accounting's unit of work also knows the time, the company's time zone and the price draw.

    It keeps the tasks it priced and the money moves not yet written: the moves reach the balances, the audit
    log and the outbox together on flush, a few statements for a whole batch of events.
    """

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
        self.tasks: dict[str, KnownTask] = {}
        self.renamed: dict[str, KnownTask] = {}
        self.moves: list[Move] = []
        self._books: tuple[date | None] | None = None

    def __enter__(self) -> Self:
        self.tasks, self.renamed, self.moves, self._books = {}, {}, [], None
        return super().__enter__()

    def today(self) -> date:
        return cycle_of(self.clock(), self.timezone)

    def last_closed_cycle(self) -> date | None:
        """The last closed cycle, read once per transaction under a shared lock on the books.

        The lock, held to the end of the transaction, makes a running close wait for these moves, and them for it.
        """
        if self._books is None:
            books = select(Books.last_closed_cycle).where(Books.id == BOOKS_ID).with_for_update(read=True)
            self._books = (self.session.execute(books).scalar_one(),)
        return self._books[0]

    def rename(self, task: KnownTask, title: str, jira_id: str | None) -> None:
        """Give a task its title (written on flush; money moved before keeps the title it had then)."""
        task.title, task.jira_id = title, jira_id
        self.renamed[task.task_id] = task

    def flush(self) -> None:
        """Write the renamed tasks and the money moves (balances, audit records, their events), then the outbox."""
        if self.renamed:
            rename_tasks(self.session, list(self.renamed.values()))
            self.renamed = {}
        if self.moves:
            moves, self.moves = self.moves, []
            for move, balance in zip(moves, write_moves(self.session, moves), strict=True):
                self.emit(move.announcement, move.correlation_id)
                self.emit(audit_record_created(move, balance), move.correlation_id)
        super().flush()


TASK_FACTS = (TaskCreatedV2, TaskUpdatedV2, TaskAssigned, TaskCompleted)


def price_named_tasks(uow: AccountingUnitOfWork, events: list[Event]) -> None:
    """Before a batch is applied: price every task its events name, all together."""
    payloads = (event.payload() for event in events)
    price_tasks(uow, [payload.task_id for payload in payloads if isinstance(payload, TASK_FACTS)])


def on_task_created(uow: AccountingUnitOfWork, payload: TaskCreatedV2, _event: Event) -> None:
    uow.rename(priced_task(uow, payload.task_id), payload.title, payload.jira_id)


def on_task_updated(uow: AccountingUnitOfWork, payload: TaskUpdatedV2, _event: Event) -> None:
    uow.rename(priced_task(uow, payload.task_id), payload.title, payload.jira_id)


def on_task_assigned(uow: AccountingUnitOfWork, payload: TaskAssigned, event: Event) -> None:
    """Charge the new assignee the task's fee."""
    task = priced_task(uow, payload.task_id)
    cycle = money_cycle(uow, event)
    withdrawn = UserWithdrawn(
        user_id=payload.assignee_id, task_id=payload.task_id, amount_cents=task.fee_cents, billing_cycle=cycle
    )
    move_money(uow, payload.assignee_id, -task.fee_cents, "withdraw", task, event.event_id, cycle, withdrawn)


def on_task_completed(uow: AccountingUnitOfWork, payload: TaskCompleted, event: Event) -> None:
    """Credit the assignee the task's reward."""
    task = priced_task(uow, payload.task_id)
    cycle = money_cycle(uow, event)
    increased = UserBalanceIncreased(
        user_id=payload.assignee_id, task_id=payload.task_id, amount_cents=task.reward_cents, billing_cycle=cycle
    )
    move_money(uow, payload.assignee_id, task.reward_cents, "deposit", task, event.event_id, cycle, increased)


def priced_task(uow: AccountingUnitOfWork, task_id: UUID) -> KnownTask:
    """The task with its prices, drawn now if accounting has not heard of it before."""
    key = str(task_id)
    if key not in uow.tasks:  # a batch's tasks are priced before its events are applied
        price_tasks(uow, [task_id])
    return uow.tasks[key]


def price_tasks(uow: AccountingUnitOfWork, task_ids: list[UUID]) -> None:
    """Load the tasks into the unit of work, drawing prices (once, for good) for those accounting has not heard of.

    Prices are drawn in the order the tasks are first named, as one by one would.
    """
    wanted = [task_id for task_id in dict.fromkeys(str(t) for t in task_ids) if task_id not in uow.tasks]
    if not wanted:
        return
    uow.tasks.update(load_tasks(uow.session, wanted))
    new = [KnownTask(task_id, **uow.prices.draw().__dict__) for task_id in wanted if task_id not in uow.tasks]
    if not new:
        return
    inserted = insert_tasks(uow.session, new)
    for task in new:
        if task.task_id in inserted:
            uow.tasks[task.task_id] = task
            prices = {"fee_cents": task.fee_cents, "reward_cents": task.reward_cents}
            uow.emit(TaskPriceCreated(task_id=UUID(task.task_id), **prices))
            uow.emit(PriceAssigned(task_id=UUID(task.task_id), **prices))
    # Another consumer priced the rest first: its prices stand, and it announced them.
    uow.tasks.update(load_tasks(uow.session, [task.task_id for task in new if task.task_id not in inserted]))


def money_cycle(uow: AccountingUnitOfWork, event: Event) -> date:
    """The cycle of the event's day, or the first open one when that day is already closed."""
    happened = min(event.event_time, uow.clock())  # a producer's clock running ahead must not date money later
    return landing_cycle(cycle_of(happened, uow.timezone), uow.last_closed_cycle())


def move_money(
    uow: AccountingUnitOfWork,
    user_id: str,
    amount_cents: int,
    kind: Kind,
    task: KnownTask | None,
    event_id: UUID,
    cycle: date,
    announcement: Payload,
) -> None:
    """Change a balance, write its audit record and announce both, in the unit of work's transaction (on flush)."""
    uow.moves.append(
        Move(
            record_id=uuid.uuid4(),
            user_id=user_id,
            amount_cents=amount_cents,
            kind=kind,
            task_id=task.task_id if task else None,
            task_title=task.title if task else None,
            jira_id=task.jira_id if task else None,
            cycle=cycle,
            created_at=uow.clock(),
            event_id=str(event_id),
            announcement=announcement,
            correlation_id=uow.correlation_id,
        )
    )


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
        uow.emit(cycle_closed(session, cycle, uow.clock()))  # last: every money event of the cycle is before it
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
