"""The ledger: the one way money moves. Each call changes a balance, writes its audit record and announces both.

Moves are held back and written together before the unit of work's outbox (`write`): a whole batch of moves costs
a few statements, and its announcements reach the outbox in the order the money moved.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domains.accounting.model import Kind, landing_cycle
from domains.accounting.pricing import KnownTask
from domains.accounting.tables import BOOKS_ID, Account, AuditRecord, Books, ClosedCycle
from domains.kernel.clock import cycle_of, utcnow
from domains.kernel.contracts import AuditRecordCreated, UserBalanceIncreased, UserPaid, UserWithdrawn
from domains.kernel.db import dialect_insert, insert_many, insert_rows, table_of
from domains.kernel.events import Event, Payload, make_event
from domains.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Move:
    """A balance change waiting to be written, with the event that announces it."""

    record_id: UUID
    user_id: str
    amount_cents: int
    kind: Kind
    task_id: str | None
    task_title: str | None  # the task as it stood when the money moved
    jira_id: str | None
    cycle: date
    created_at: datetime
    event_id: UUID  # the event the record answers (a payment's is its own UserPaid)
    announcement: Payload | Event  # enveloped when written, or already (a payment's UserPaid: its id is known)
    correlation_id: UUID  # of what moved the money: the record keeps it, its announcements carry it on


class Ledger:
    """Accounting's books in one unit of work: balances, the audit log, and the lock that orders moves and closes.

    Money is dated in the company's time zone by the ledger's clock.
    """

    def __init__(self, uow: UnitOfWork, timezone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self.uow = uow
        self.timezone = timezone
        self.clock = clock
        self.moves: list[Move] = []
        self._books: tuple[date | None] | None = None

    def today(self) -> date:
        return cycle_of(self.clock(), self.timezone)

    def charge(self, user_id: str, task: KnownTask, cause: Event) -> None:
        """Charge a worker a task's assignment fee."""
        cycle = self.cycle_for(cause)
        fee = UserWithdrawn(
            user_id=user_id, task_id=UUID(task.task_id), amount_cents=task.fee_cents, billing_cycle=cycle
        )
        self._move(user_id, -task.fee_cents, "withdraw", task, cycle, cause.event_id, fee, cause.correlation)

    def credit(self, user_id: str, task: KnownTask, cause: Event) -> None:
        """Credit a worker a task's completion reward."""
        cycle = self.cycle_for(cause)
        reward = UserBalanceIncreased(
            user_id=user_id, task_id=UUID(task.task_id), amount_cents=task.reward_cents, billing_cycle=cycle
        )
        self._move(user_id, task.reward_cents, "deposit", task, cycle, cause.event_id, reward, cause.correlation)

    def pay(self, user_id: str, amount_cents: int, earned_cents: int, cycle: date) -> UUID:
        """Pay a worker out at the close of `cycle`; returns the payout's id, its UserPaid's (and its correlation)."""
        paid = UserPaid(user_id=user_id, amount_cents=amount_cents, earned_cents=earned_cents, billing_cycle=cycle)
        event = make_event(self.uow.producer, paid)
        self._move(user_id, -amount_cents, "payment", None, cycle, event.event_id, event, event.event_id)
        return event.event_id

    def cycle_for(self, cause: Event) -> date:
        """The cycle of the day money moved, or the first open one when that day is already closed."""
        happened = min(cause.event_time, self.clock())  # a producer's clock running ahead must not date money later
        return landing_cycle(cycle_of(happened, self.timezone), self.last_closed_cycle())

    def last_closed_cycle(self) -> date | None:
        """The last closed cycle, read once per transaction under a shared lock on the books.

        The lock, held to the end of the transaction, makes a running close wait for these moves, and them for it.
        """
        if self._books is None:
            books = select(Books.last_closed_cycle).where(Books.id == BOOKS_ID).with_for_update(read=True)
            self._books = (self.uow.session.execute(books).scalar_one(),)
        return self._books[0]

    def open_for_close(self) -> date | None:
        """Take the books for a close (no money moves until the transaction ends); returns the last closed cycle."""
        books = select(Books.last_closed_cycle).where(Books.id == BOOKS_ID).with_for_update()
        self._books = (self.uow.session.execute(books).scalar_one(),)
        return self._books[0]

    def close_books(self, cycle: date, payments: int, paid_cents: int) -> None:
        """Record `cycle` as closed: money dated in it from now on lands in the next one."""
        session = self.uow.session
        session.execute(update(Books).where(Books.id == BOOKS_ID).values(last_closed_cycle=cycle))
        session.add(ClosedCycle(billing_cycle=cycle, closed_at=self.clock(), payments=payments, paid_cents=paid_cents))
        self._books = (cycle,)

    def write(self) -> None:
        """Write the moves held back (balances, audit records) and put their announcements in the outbox."""
        if not self.moves:
            return
        moves, self.moves = self.moves, []
        for move, balance in zip(moves, write_moves(self.uow.session, moves), strict=True):
            if isinstance(move.announcement, Event):
                self.uow.emit_events([move.announcement])
            else:
                self.uow.emit(move.announcement, move.correlation_id)
            self.uow.emit(audit_record_created(move, balance), move.correlation_id)

    def _move(
        self,
        user_id: str,
        amount_cents: int,
        kind: Kind,
        task: KnownTask | None,
        cycle: date,
        event_id: UUID,
        announcement: Payload | Event,
        correlation_id: UUID,
    ) -> None:
        self.moves.append(
            Move(
                record_id=uuid.uuid4(),
                user_id=user_id,
                amount_cents=amount_cents,
                kind=kind,
                task_id=task.task_id if task else None,
                task_title=task.title if task else None,
                jira_id=task.jira_id if task else None,
                cycle=cycle,
                created_at=self.clock(),
                event_id=event_id,
                announcement=announcement,
                correlation_id=correlation_id,
            )
        )


def write_moves(session: Session, moves: list[Move]) -> list[int]:
    """Add the moves to the balances and write their audit records; returns each move's balance after it.

    One upsert adds each user's total, creating accounts as needed and locking them in user-id order, so two
    consumers never wait on each other in a circle. A record's balance follows from the new balance, in record order.
    """
    totals: dict[str, int] = {}
    for move in moves:
        totals[move.user_id] = totals.get(move.user_id, 0) + move.amount_cents
    balances = _add_to_balances(session, totals)
    running = {user_id: balances[user_id] - total for user_id, total in totals.items()}
    after = []
    for move in moves:
        running[move.user_id] += move.amount_cents
        after.append(running[move.user_id])
    insert_rows(session, table_of(AuditRecord), [_record_row(m, b) for m, b in zip(moves, after, strict=True)])
    return after


def _add_to_balances(session: Session, totals: dict[str, int]) -> dict[str, int]:
    table = table_of(Account)
    statement = dialect_insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={"balance_cents": table.c.balance_cents + statement.excluded.balance_cents},
    ).returning(table.c.user_id, table.c.balance_cents)
    rows = [{"user_id": user_id, "balance_cents": totals[user_id]} for user_id in sorted(totals)]
    return {row.user_id: int(row.balance_cents) for row in insert_many(session, statement, rows)}


def _record_row(move: Move, balance_after: int) -> dict[str, Any]:
    return {
        "record_id": str(move.record_id),
        "user_id": move.user_id,
        "kind": move.kind,
        "amount_cents": move.amount_cents,
        "balance_after_cents": balance_after,
        "task_id": move.task_id,
        "billing_cycle": move.cycle,
        "created_at": move.created_at,
        "event_id": str(move.event_id),
        "correlation_id": str(move.correlation_id),
    }


def audit_record_created(move: Move, balance_after: int) -> AuditRecordCreated:
    """The CUD event of a move's audit record."""
    return AuditRecordCreated(
        record_id=move.record_id,
        user_id=move.user_id,
        kind=move.kind,
        amount_cents=move.amount_cents,
        balance_after_cents=balance_after,
        task_id=UUID(move.task_id) if move.task_id else None,
        task_title=move.task_title,
        jira_id=move.jira_id,
        billing_cycle=move.cycle,
        created_at=move.created_at,
    )
