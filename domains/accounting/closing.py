"""The daily close's set-based steps: every balance at the day's end in one query, payments through the ledger.

The close holds the books' exclusive lock throughout, so no money moves while these run: the balances read
at the start are the ones the payments are taken from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from domains.accounting.ledger import Ledger
from domains.accounting.model import DayClosed, Payout
from domains.accounting.tables import Account, AuditRecord
from domains.kernel.clock import format_cents
from domains.kernel.contracts import BalanceCarriedOver, BillingCycleClosed
from domains.kernel.db import among, table_of
from domains.kernel.log_context import about
from domains.kernel.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
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


def settle(uow: UnitOfWork, ledger: Ledger, cycle: date) -> DayClosed:
    """Pay every positive closing balance through the ledger, carry every negative one (a BalanceCarriedOver each).

    The accounts are taken a chunk at a time, each chunk written (and its events put in the outbox) before the next.
    """
    paid: dict[str, int] = {}
    carried: dict[str, int] = {}
    payouts: list[Payout] = []
    accounts = iter(closing_balances(uow.session, cycle))
    while chunk := list(islice(accounts, CHUNK)):
        owed = [account for account in chunk if account.closing_cents > 0]
        counted = counted_correlations(uow.session, cycle, [account.user_id for account in owed])
        for account in owed:
            paid[account.user_id] = account.closing_cents
            payout_id = ledger.pay(account.user_id, account.closing_cents, account.earned_cents, cycle)
            payouts.append(Payout(account.user_id, account.closing_cents, payout_id, counted.get(account.user_id, ())))
        for account in chunk:
            if account.closing_cents <= 0:
                carried[account.user_id] = account.closing_cents
                uow.emit(_carried(account, cycle))
        uow.flush()
    return DayClosed(cycle, paid, carried, payouts=tuple(payouts))


def counted_correlations(session: Session, cycle: date, user_ids: list[str]) -> dict[str, tuple[str, ...]]:
    """By user, the correlations of the money a payout at the close of `cycle` counts: every move of the user
    since their previous payout (a negative balance carried over is counted when it is paid off), oldest first."""
    if not user_ids:
        return {}
    last_paid = (
        select(AuditRecord.user_id, func.max(AuditRecord.billing_cycle).label("cycle"))
        .where(AuditRecord.kind == "payment", among(session, AUDIT.c.user_id, user_ids))
        .group_by(AuditRecord.user_id)
        .subquery()
    )
    rows = session.execute(
        select(AuditRecord.user_id, AuditRecord.correlation_id)
        .outerjoin(last_paid, last_paid.c.user_id == AuditRecord.user_id)
        .where(
            among(session, AUDIT.c.user_id, user_ids),
            AuditRecord.billing_cycle <= cycle,
            or_(last_paid.c.cycle.is_(None), AuditRecord.billing_cycle > last_paid.c.cycle),
            AuditRecord.correlation_id.is_not(None),  # older records did not keep theirs
        )
        .group_by(AuditRecord.user_id, AuditRecord.correlation_id)
        .order_by(AuditRecord.user_id, func.min(AuditRecord.id))
    )
    counted: dict[str, list[str]] = {}
    for user_id, correlation_id in rows:
        counted.setdefault(user_id, []).append(str(correlation_id))
    return {user_id: tuple(correlations) for user_id, correlations in counted.items()}


def log_payouts(day: DayClosed) -> None:
    """A line per payout, under the payout's own correlation, naming the correlations of the money it counts: an
    operator following a request's correlation finds the payout it counted toward, and from there its DM."""
    if not log.isEnabledFor(logging.INFO):
        return
    for payout in day.payouts:
        with about(event_id=payout.payout_id, correlation_id=payout.payout_id):
            log.info(
                "paid %s %s for %s, counting the money of %s",
                payout.user_id,
                format_cents(payout.amount_cents),
                day.cycle.isoformat(),
                ", ".join(payout.counted) or "no known request",
                extra={"user_id": payout.user_id, "billing_cycle": day.cycle.isoformat(), "counted": payout.counted},
            )


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


def _sum_by_user(*conditions: Any) -> Any:
    return (
        select(AuditRecord.user_id, func.sum(AuditRecord.amount_cents).label("total"))
        .where(and_(*conditions))
        .group_by(AuditRecord.user_id)
        .subquery()
    )
