"""Accounting's handlers: prices on first sight, fees on assignment, rewards on completion, the daily close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Self
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.closing import cycle_closed, log_payouts, settle
from domains.accounting.commands import CloseDay
from domains.accounting.ledger import Ledger
from domains.accounting.model import (
    CycleError,
    DayClosed,
    PriceDraw,
    check_closable,
    cycles_between,
    first_open_cycle,
)
from domains.accounting.pricing import PriceList
from domains.accounting.tables import AuditRecord, Books, inbox, outbox
from domains.kernel.clock import utcnow
from domains.kernel.commands import CommandBus
from domains.kernel.contracts import TaskAssigned, TaskCompleted, TaskCreatedV2, TaskUpdatedV2
from domains.kernel.events import Event
from domains.kernel.unit_of_work import UnitOfWork

PRODUCER = "accounting"


class AccountingUnitOfWork(UnitOfWork):
    """Accounting's transaction with its outbox and its inbox.

    It hands out what accounting keeps in one transaction, fresh for each: `tasks`, the priced tasks, and `ledger`,
    the one way money moves. Both hold their writes back for a whole batch of events and write them before the
    outbox is written, so a batch costs a few statements.
    """

    tasks: PriceList
    ledger: Ledger

    def __init__(
        self,
        sessions: sessionmaker[Session],
        prices: PriceDraw,
        timezone: ZoneInfo,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(sessions, PRODUCER, outbox, inbox)
        self._prices, self._timezone, self._clock = prices, timezone, clock

    def __enter__(self) -> Self:
        super().__enter__()
        self.tasks, self.ledger = PriceList(self, self._prices), Ledger(self, self._timezone, self._clock)
        return self

    def flush(self) -> None:
        self.tasks.write()
        self.ledger.write()
        super().flush()


TASK_FACTS = (TaskCreatedV2, TaskUpdatedV2, TaskAssigned, TaskCompleted)


def price_named_tasks(uow: AccountingUnitOfWork, events: list[Event]) -> None:
    """Before a batch is applied: price every task its events name, all together."""
    payloads = (event.payload() for event in events)
    uow.tasks.price([payload.task_id for payload in payloads if isinstance(payload, TASK_FACTS)])


def on_task_created(uow: AccountingUnitOfWork, payload: TaskCreatedV2, _event: Event) -> None:
    uow.tasks.rename(payload.task_id, payload.title, payload.jira_id)


def on_task_updated(uow: AccountingUnitOfWork, payload: TaskUpdatedV2, _event: Event) -> None:
    uow.tasks.rename(payload.task_id, payload.title, payload.jira_id)


def on_task_assigned(uow: AccountingUnitOfWork, payload: TaskAssigned, event: Event) -> None:
    """Charge the new assignee the task's fee."""
    uow.ledger.charge(payload.assignee_id, uow.tasks.priced(payload.task_id), event)


def on_task_completed(uow: AccountingUnitOfWork, payload: TaskCompleted, event: Event) -> None:
    """Credit the assignee the task's reward."""
    uow.ledger.credit(payload.assignee_id, uow.tasks.priced(payload.task_id), event)


def close_day(uow: AccountingUnitOfWork, cycle: date) -> DayClosed:
    """Close one billing cycle: pay every positive balance at its end, carry every negative one; once per cycle.

    Each payout is logged once the close is committed, naming the correlations of the money it counts."""
    with uow:
        ledger = uow.ledger
        last_closed = ledger.open_for_close()
        if last_closed is not None and cycle <= last_closed:
            return DayClosed(cycle, already_closed=True)
        check_closable(cycle, ledger.today(), first_open_cycle(last_closed, _earliest_cycle(uow.session)))
        closed = settle(uow, ledger, cycle)
        ledger.close_books(cycle, len(closed.paid), closed.paid_cents)
        uow.emit(cycle_closed(uow.session, cycle, ledger.clock()))  # last: every money event of the cycle is before it
        uow.commit()
    log_payouts(closed)
    return closed


def close_due_days(new_uow: Callable[[], AccountingUnitOfWork], through: date | None = None) -> list[DayClosed]:
    """Close every open cycle through `through` (default yesterday), oldest first, each in its own unit of work."""
    with new_uow() as probe:
        today = probe.ledger.today()
        last_closed = probe.session.execute(select(Books.last_closed_cycle)).scalar_one()
        first = first_open_cycle(last_closed, _earliest_cycle(probe.session))
    through = through or today - timedelta(days=1)
    if through >= today:
        raise CycleError(f"{through.isoformat()} is not over yet (today is {today.isoformat()}); nothing was changed")
    if first is None or first > through:
        return []
    closed = [close_day(new_uow(), cycle) for cycle in cycles_between(first, through)]
    return [day for day in closed if not day.already_closed]


def register_commands(bus: CommandBus, new_uow: Callable[[], AccountingUnitOfWork]) -> None:
    """Accounting's orders and their handlers, each in its own unit of work from `new_uow`."""
    bus.register(CloseDay, lambda command: close_due_days(new_uow, command.through))


def _earliest_cycle(session: Session) -> date | None:
    return session.execute(select(func.min(AuditRecord.billing_cycle))).scalar_one()
