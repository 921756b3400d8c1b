"""Accounting's read models: balances, the audit log, management's earnings, the audit check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.model import Kind, management_earnings
from domains.accounting.tables import Account, AuditRecord, PricedTask


@dataclass(frozen=True)
class AuditLine:
    kind: Kind
    amount_cents: int
    task_title: str | None
    jira_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class Mismatch:
    user_id: str
    balance_cents: int
    records_cents: int


def balance_of(sessions: sessionmaker[Session], user_id: str) -> int:
    with sessions() as session:
        account = session.get(Account, user_id)
        return account.balance_cents if account else 0


def audit_log(sessions: sessionmaker[Session], user_id: str, cycle: date) -> list[AuditLine]:
    """A user's records for one billing cycle, oldest first, each with its task's title and Jira id."""
    with sessions() as session:
        rows = session.execute(
            select(
                AuditRecord.kind, AuditRecord.amount_cents, PricedTask.title, PricedTask.jira_id, AuditRecord.created_at
            )
            .outerjoin(PricedTask, PricedTask.task_id == AuditRecord.task_id)
            .where(AuditRecord.user_id == user_id, AuditRecord.billing_cycle == cycle)
            .order_by(AuditRecord.id)
        ).all()
        return [AuditLine(cast(Kind, kind), amount, title, jira_id, at) for kind, amount, title, jira_id, at in rows]


def earnings_of(sessions: sessionmaker[Session], cycle: date) -> int:
    """Management's earnings for a cycle: fees charged minus rewards paid."""
    with sessions() as session:
        rows = session.execute(
            select(AuditRecord.kind, func.coalesce(func.sum(AuditRecord.amount_cents), 0))
            .where(AuditRecord.billing_cycle == cycle, AuditRecord.kind.in_(["withdraw", "deposit"]))
            .group_by(AuditRecord.kind)
        ).all()
    totals = {kind: int(total) for kind, total in rows}
    return management_earnings(-totals.get("withdraw", 0), totals.get("deposit", 0))


def audit_check(sessions: sessionmaker[Session]) -> list[Mismatch]:
    """Every account whose balance differs from the sum of its audit records (none, when all is well)."""
    with sessions() as session:
        sums = (
            select(AuditRecord.user_id, func.sum(AuditRecord.amount_cents).label("total"))
            .group_by(AuditRecord.user_id)
            .subquery()
        )
        rows = session.execute(
            select(Account.user_id, Account.balance_cents, func.coalesce(sums.c.total, 0))
            .outerjoin(sums, sums.c.user_id == Account.user_id)
            .where(Account.balance_cents != func.coalesce(sums.c.total, 0))
        ).all()
        orphans = session.execute(
            select(sums.c.user_id, sums.c.total)
            .outerjoin(Account, Account.user_id == sums.c.user_id)
            .where(Account.user_id.is_(None))
        ).all()
    return [Mismatch(u, b, int(t)) for u, b, t in rows] + [Mismatch(u, 0, int(t)) for u, t in orphans]
