"""Accounting's read models: balances, the audit log, management's earnings, the audit check."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import func, literal, select, union
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.model import Kind, management_earnings
from domains.accounting.tables import Account, AuditRecord, Books, Member, PricedTask


@dataclass(frozen=True)
class AuditLine:
    kind: Kind
    amount_cents: int
    task_title: str | None
    jira_id: str | None
    created_at: datetime
    billing_cycle: date | None = None


@dataclass(frozen=True)
class Statement:
    """A user's money around one billing cycle, every cent of it: what came before the cycle, the cycle's own
    lines, and (when asked for) what was booked into later cycles because a close ran before it happened."""

    cycle: date
    before_cents: int
    lines: list[AuditLine]
    later: list[AuditLine]

    @property
    def end_cents(self) -> int:
        """The balance once the cycle's lines (and the later ones, when asked for) are counted."""
        return self.before_cents + sum(line.amount_cents for line in self.lines + self.later)


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


def statement(sessions: sessionmaker[Session], user_id: str, cycle: date, *, later: bool) -> Statement:
    """A user's statement for `cycle`; `later` adds what was booked into the cycles after it."""
    last = date.max if later else cycle
    with sessions() as session:
        before = session.execute(
            select(func.coalesce(func.sum(AuditRecord.amount_cents), 0)).where(
                AuditRecord.user_id == user_id, AuditRecord.billing_cycle < cycle
            )
        ).scalar_one()
        rows = session.execute(
            select(
                AuditRecord.kind,
                AuditRecord.amount_cents,
                PricedTask.title,
                PricedTask.jira_id,
                AuditRecord.created_at,
                AuditRecord.billing_cycle,
            )
            .outerjoin(PricedTask, PricedTask.task_id == AuditRecord.task_id)
            .where(AuditRecord.user_id == user_id, AuditRecord.billing_cycle.between(cycle, last))
            .order_by(AuditRecord.billing_cycle, AuditRecord.id)
        ).all()
    lines = [AuditLine(cast(Kind, kind), amount, title, jira, at, day) for kind, amount, title, jira, at, day in rows]
    own = [line for line in lines if line.billing_cycle == cycle]
    return Statement(cycle, int(before), own, [line for line in lines if line.billing_cycle != cycle])


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


@dataclass(frozen=True)
class WorkerBalance:
    user_id: str
    name: str
    balance_cents: int


@dataclass(frozen=True)
class BalancesPage:
    """One page of every worker's balance (and anyone else who holds money), by name."""

    rows: list[WorkerBalance]
    page: int
    pages: int
    total: int


def earnings_by_day(sessions: sessionmaker[Session], last: date, days: int) -> list[tuple[date, int]]:
    """Management's earnings for `days` cycles ending with `last`, newest first (zero for a quiet day)."""
    first = last - timedelta(days=days - 1)
    with sessions() as session:
        rows = session.execute(
            select(AuditRecord.billing_cycle, AuditRecord.kind, func.sum(AuditRecord.amount_cents))
            .where(AuditRecord.billing_cycle.between(first, last), AuditRecord.kind.in_(["withdraw", "deposit"]))
            .group_by(AuditRecord.billing_cycle, AuditRecord.kind)
        ).all()
    fees = {cycle: -int(total) for cycle, kind, total in rows if kind == "withdraw"}
    rewards = {cycle: int(total) for cycle, kind, total in rows if kind == "deposit"}
    cycles = [last - timedelta(days=n) for n in range(days)]
    return [(cycle, management_earnings(fees.get(cycle, 0), rewards.get(cycle, 0))) for cycle in cycles]


def balances_page(sessions: sessionmaker[Session], page: int, size: int) -> BalancesPage:
    """Every worker and every account holder with their balance, sorted by name; `page` counts from 1."""
    holders = union(
        select(Account.user_id),
        select(Member.user_id).where(Member.role == "worker", Member.is_active.is_(True)),
    ).subquery()
    name = func.coalesce(Member.name, holders.c.user_id)
    with sessions() as session:
        total = int(session.execute(select(func.count()).select_from(holders)).scalar_one())
        pages = max(1, math.ceil(total / size))
        page = min(max(page, 1), pages)
        rows = session.execute(
            select(holders.c.user_id, name, func.coalesce(Account.balance_cents, literal(0)))
            .outerjoin(Member, Member.user_id == holders.c.user_id)
            .outerjoin(Account, Account.user_id == holders.c.user_id)
            .order_by(func.lower(name), holders.c.user_id)
            .offset((page - 1) * size)
            .limit(size)
        ).all()
    return BalancesPage([WorkerBalance(u, n, int(b)) for u, n, b in rows], page, pages, total)


def last_closed_cycle(sessions: sessionmaker[Session]) -> date | None:
    with sessions() as session:
        return session.execute(select(Books.last_closed_cycle)).scalar_one_or_none()


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


@dataclass(frozen=True)
class TaskPrice:
    fee_cents: int
    reward_cents: int


def prices_of(sessions: sessionmaker[Session], task_ids: list[str]) -> dict[str, TaskPrice]:
    """The prices drawn for those of these tasks accounting has heard of (by task id)."""
    if not task_ids:
        return {}
    with sessions() as session:
        rows = session.execute(
            select(PricedTask.task_id, PricedTask.fee_cents, PricedTask.reward_cents).where(
                PricedTask.task_id.in_(task_ids)
            )
        )
        return {task_id: TaskPrice(fee, reward) for task_id, fee, reward in rows}
