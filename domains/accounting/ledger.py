"""Accounting's writes, set-based: a unit of work's tasks and money moves, a few statements for them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from domains.accounting.model import Kind
from domains.accounting.tables import Account, AuditRecord, PricedTask
from domains.kernel.contracts import AuditRecordCreated
from domains.kernel.db import among, dialect_insert, insert_many, insert_rows, table_of
from domains.kernel.events import Payload


@dataclass
class KnownTask:
    """Accounting's copy of a task as a unit of work knows it: its prices and, once heard of, its title."""

    task_id: str
    fee_cents: int
    reward_cents: int
    title: str | None = None
    jira_id: str | None = None


def load_tasks(session: Session, task_ids: list[str]) -> dict[str, KnownTask]:
    if not task_ids:
        return {}
    table = table_of(PricedTask)
    columns = (table.c.task_id, table.c.fee_cents, table.c.reward_cents, table.c.title, table.c.jira_id)
    rows = session.execute(select(*columns).where(among(session, table.c.task_id, task_ids)))
    return {row.task_id: KnownTask(*row) for row in rows}


def insert_tasks(session: Session, tasks: list[KnownTask]) -> set[str]:
    """Insert tasks not yet known, in id order (so two consumers pricing the same ones never wait on each other in a
    circle); returns the ids inserted here, not by another consumer first."""
    table = table_of(PricedTask)
    rows = [
        {"task_id": task.task_id, "fee_cents": task.fee_cents, "reward_cents": task.reward_cents}
        for task in sorted(tasks, key=lambda task: task.task_id)
    ]
    statement = dialect_insert(session, table).on_conflict_do_nothing(index_elements=["task_id"])
    return set(insert_many(session, statement.returning(table.c.task_id), rows).scalars())


def rename_tasks(session: Session, tasks: list[KnownTask]) -> None:
    table = table_of(PricedTask)
    statement = (
        update(table)
        .where(table.c.task_id == bindparam("the_task_id"))
        .values(title=bindparam("new_title"), jira_id=bindparam("new_jira_id"))
    )
    rows = [{"the_task_id": task.task_id, "new_title": task.title, "new_jira_id": task.jira_id} for task in tasks]
    session.execute(statement, rows)


@dataclass(frozen=True)
class Move:
    """A balance change waiting for its unit of work's flush, with the event that announces it."""

    record_id: UUID
    user_id: str
    amount_cents: int
    kind: Kind
    task_id: str | None
    task_title: str | None  # the task as it stood when the money moved
    jira_id: str | None
    cycle: date
    created_at: datetime
    event_id: str  # the event the record answers (a payment's is its own UserPaid)
    announcement: Payload  # the event that announces it, enveloped when written
    correlation_id: UUID | None = None  # of the event that moved the money: its announcements carry it on


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
        "event_id": move.event_id,
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
