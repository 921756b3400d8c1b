"""The daily close's set-based steps: every balance at the day's end in one query, payments in bulk, one UPDATE.

The close holds the books' exclusive lock throughout, so no money moves while these run: the balances read
at the start are the ones the payments are taken from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from domains.accounting.tables import Account, AuditRecord
from domains.kernel.contracts import AuditRecordCreated, BalanceCarriedOver, BillingCycleClosed, UserPaid
from domains.kernel.db import insert_rows, table_of
from domains.kernel.events import Event, make_event
from domains.kernel.unit_of_work import UnitOfWork

AUDIT = table_of(AuditRecord)
CHUNK = 5_000  # users per batch of payment rows and outbox events: memory stays flat however many are paid


@dataclass(frozen=True)
class Closing:
    """One account at the end of a cycle: its balance then, its balance now, what it earned in the cycle."""

    user_id: str
    closing_cents: int
    current_cents: int
    earned_cents: int


def closing_balances(session: Session, cycle: date) -> list[Closing]:
    """Each non-zero balance as it stood at the end of `cycle` (today's money is not that day's), by user."""
    later = _sum_by_user(AuditRecord.billing_cycle > cycle)
    earned = _sum_by_user(AuditRecord.billing_cycle == cycle, AuditRecord.kind.in_(["withdraw", "deposit"]))
    closing = Account.balance_cents - func.coalesce(later.c.total, 0)
    rows = session.execute(
        select(Account.user_id, closing, Account.balance_cents, func.coalesce(earned.c.total, 0))
        .outerjoin(later, later.c.user_id == Account.user_id)
        .outerjoin(earned, earned.c.user_id == Account.user_id)
        .where(closing != 0)
        .order_by(Account.user_id)
    )
    return [Closing(user, int(closing), int(current), int(earned)) for user, closing, current, earned in rows]


def settle(uow: UnitOfWork, cycle: date, at: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Pay every positive closing balance (one payment record and UserPaid each), carry every negative one.

    Returns (paid, carried) by user. Balances drop by what was paid in one UPDATE at the end.
    """
    paid: dict[str, int] = {}
    carried: dict[str, int] = {}
    accounts = iter(closing_balances(uow.session, cycle))
    while chunk := list(islice(accounts, CHUNK)):
        records: list[dict[str, Any]] = []
        events: list[Event] = []
        for account in chunk:
            if account.closing_cents > 0:
                paid[account.user_id] = account.closing_cents
                records.append(_payment(uow.producer, account, cycle, at, events))
            else:
                carried[account.user_id] = account.closing_cents
                events.append(make_event(uow.producer, _carried(account, cycle)))
        insert_rows(uow.session, AUDIT, records)
        uow.emit_events(events)
        uow.flush()
    if paid:
        _take_payments(uow.session, cycle)
    return paid, carried


def _payment(producer: str, account: Closing, cycle: date, at: datetime, events: list[Event]) -> dict[str, Any]:
    """The payment's audit record; its UserPaid and AuditRecordCreated events are appended to `events`."""
    amount = account.closing_cents
    paid = make_event(
        producer,
        UserPaid(user_id=account.user_id, amount_cents=amount, earned_cents=account.earned_cents, billing_cycle=cycle),
    )
    record_id = uuid.uuid4()
    balance_after = account.current_cents - amount
    record = AuditRecordCreated(
        record_id=record_id,
        user_id=account.user_id,
        kind="payment",
        amount_cents=-amount,
        balance_after_cents=balance_after,
        task_id=None,
        task_title=None,
        jira_id=None,
        billing_cycle=cycle,
        created_at=at,
    )
    events.extend([paid, make_event(producer, record)])
    return {
        "record_id": str(record_id),
        "user_id": account.user_id,
        "kind": "payment",
        "amount_cents": -amount,
        "balance_after_cents": balance_after,
        "task_id": None,
        "billing_cycle": cycle,
        "created_at": at,
        "event_id": str(paid.event_id),
    }


def cycle_closed(session: Session, cycle: date, at: datetime) -> BillingCycleClosed:
    """The event that says `cycle` is closed, with what its audit records add up to (payments included)."""
    fees = func.sum(case((AuditRecord.kind == "withdraw", -AuditRecord.amount_cents), else_=0))
    rewards = func.sum(case((AuditRecord.kind == "deposit", AuditRecord.amount_cents), else_=0))
    count, fees_cents, rewards_cents = session.execute(
        select(func.count(), func.coalesce(fees, 0), func.coalesce(rewards, 0)).where(
            AuditRecord.billing_cycle == cycle
        )
    ).one()
    return BillingCycleClosed(
        billing_cycle=cycle,
        closed_at=at,
        audit_records=int(count),
        fees_cents=int(fees_cents),
        rewards_cents=int(rewards_cents),
    )


def _carried(account: Closing, cycle: date) -> BalanceCarriedOver:
    return BalanceCarriedOver(
        user_id=account.user_id,
        balance_cents=account.closing_cents,
        earned_cents=account.earned_cents,
        billing_cycle=cycle,
    )


def _take_payments(session: Session, cycle: date) -> None:
    """Lower every paid balance by its payment of `cycle`, in one statement (payments are negative amounts)."""
    payments = (
        select(AuditRecord.user_id, AuditRecord.amount_cents)
        .where(AuditRecord.kind == "payment", AuditRecord.billing_cycle == cycle)
        .subquery()
    )
    session.execute(
        update(Account)
        .where(Account.user_id == payments.c.user_id)
        .values(balance_cents=Account.balance_cents + payments.c.amount_cents)
        .execution_options(synchronize_session=False)
    )


def _sum_by_user(*conditions: Any) -> Any:
    return (
        select(AuditRecord.user_id, func.sum(AuditRecord.amount_cents).label("total"))
        .where(and_(*conditions))
        .group_by(AuditRecord.user_id)
        .subquery()
    )
