"""Analytics' read models: management's earnings, workers in the negative, the most expensive task, per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domains.analytics.model import Span, management_earnings
from domains.analytics.tables import Balance, CompletedTask, CycleEarnings, DayBalance
from domains.kernel.contracts import BillingCycleClosed


@dataclass(frozen=True)
class ExpensiveTask:
    task_id: str
    title: str | None
    jira_id: str | None
    reward_cents: int
    completed_cycle: date
    deleted: bool


@dataclass(frozen=True)
class DayFigures:
    """One day as of its end ("now" for today)."""

    day: date
    earnings_cents: int
    workers_in_negative: int
    most_expensive: ExpensiveTask | None


@dataclass(frozen=True)
class Report:
    """What `/analytics` and the daily post show for a span: each day up to today, and the span's top task."""

    span: Span
    days: list[DayFigures]
    most_expensive: ExpensiveTask | None

    @property
    def earnings_cents(self) -> int:
        return sum(day.earnings_cents for day in self.days)


def earnings_by_day(sessions: sessionmaker[Session], span: Span) -> list[tuple[date, int]]:
    """Management's earnings for each cycle of the span, zero for a cycle without money moved."""
    with sessions() as session:
        rows = session.execute(
            select(CycleEarnings.billing_cycle, CycleEarnings.fees_cents, CycleEarnings.rewards_cents).where(
                CycleEarnings.billing_cycle.between(span.first, span.last)
            )
        ).all()
    by_cycle = {cycle: management_earnings(fees, rewards) for cycle, fees, rewards in rows}
    return [(day, by_cycle.get(day, 0)) for day in span.days()]


def earnings_of(sessions: sessionmaker[Session], cycle: date) -> int:
    """Management's earnings for one cycle: fees charged minus rewards paid."""
    return earnings_by_day(sessions, Span("day", cycle, cycle))[0][1]


def workers_in_negative(sessions: sessionmaker[Session]) -> int:
    """How many users owe money now (only workers are ever charged)."""
    with sessions() as session:
        return int(session.execute(select(func.count()).where(Balance.balance_cents < 0)).scalar_one())


def negative_by_day(sessions: sessionmaker[Session], days: list[date], today: date) -> list[int]:
    """How many users owed money at the end of each day (today: now, whatever cycle its money landed in)."""
    if not days:
        return []
    with sessions() as session:
        opening = session.execute(
            select(DayBalance.user_id, func.sum(DayBalance.change_cents))
            .where(DayBalance.billing_cycle < days[0])
            .group_by(DayBalance.user_id)
        ).all()
        changes = session.execute(
            select(DayBalance.billing_cycle, DayBalance.user_id, DayBalance.change_cents)
            .where(DayBalance.billing_cycle >= days[0])
            .order_by(DayBalance.billing_cycle)
        ).all()
    balances = {user: int(cents) for user, cents in opening}
    negative = sum(cents < 0 for cents in balances.values())
    counts, pending = [], list(reversed(changes))
    for day in days:
        while pending and (pending[-1].billing_cycle <= day or day >= today):
            _, user, cents = pending.pop()
            before = balances.get(user, 0)
            balances[user] = before + cents
            negative += (before + cents < 0) - (before < 0)
        counts.append(negative)
    return counts


def most_expensive_task(sessions: sessionmaker[Session], span: Span) -> ExpensiveTask | None:
    """The highest reward among tasks completed in the span (the first completed wins a tie)."""
    with sessions() as session:
        task = session.execute(
            select(*_TASK_COLUMNS).where(*_completed_in(span)).order_by(*_MOST_EXPENSIVE_FIRST).limit(1)
        ).one_or_none()
    return None if task is None else _expensive(task)


def most_expensive_by_day(sessions: sessionmaker[Session], span: Span) -> dict[date, ExpensiveTask]:
    """Each day's most expensive task completed, for the days of the span that have one."""
    rank = func.row_number().over(partition_by=CompletedTask.completed_cycle, order_by=_MOST_EXPENSIVE_FIRST)
    ranked = select(*_TASK_COLUMNS, rank.label("rank")).where(*_completed_in(span)).subquery()
    with sessions() as session:
        rows = session.execute(select(*(ranked.c[c.key] for c in _TASK_COLUMNS)).where(ranked.c.rank == 1)).all()
    return {task.completed_cycle: task for task in map(_expensive, rows)}


def report(sessions: sessionmaker[Session], span: Span, today: date) -> Report:
    """The span's days up to `today`, each as of its end."""
    days = span.days_through(today)
    earnings = earnings_by_day(sessions, Span(span.kind, span.first, days[-1])) if days else []
    negative = negative_by_day(sessions, days, today)
    tops = most_expensive_by_day(sessions, span)
    figures = [
        DayFigures(day, cents, count, tops.get(day)) for (day, cents), count in zip(earnings, negative, strict=True)
    ]
    return Report(span, figures, most_expensive_task(sessions, span))


def has_applied(sessions: sessionmaker[Session], closed: BillingCycleClosed) -> bool:
    """Whether analytics has applied every money event of a closed day (the close counted them)."""
    with sessions() as session:
        row = session.execute(
            select(CycleEarnings.audit_records, CycleEarnings.fees_cents, CycleEarnings.rewards_cents).where(
                CycleEarnings.billing_cycle == closed.billing_cycle
            )
        ).one_or_none()
    applied = tuple(row) if row is not None else (0, 0, 0)
    return applied == (closed.audit_records, closed.fees_cents, closed.rewards_cents)


_TASK_COLUMNS = (
    CompletedTask.task_id,
    CompletedTask.title,
    CompletedTask.jira_id,
    CompletedTask.reward_cents,
    CompletedTask.completed_cycle,
    CompletedTask.deleted,
)
_MOST_EXPENSIVE_FIRST = (CompletedTask.reward_cents.desc(), CompletedTask.completed_at, CompletedTask.task_id)


def _completed_in(span: Span) -> tuple[Any, ...]:
    return CompletedTask.completed_cycle.between(span.first, span.last), CompletedTask.reward_cents.is_not(None)


def _expensive(row: Any) -> ExpensiveTask:
    task_id, title, jira_id, reward_cents, completed_cycle, deleted = row
    return ExpensiveTask(task_id, title, jira_id, reward_cents, completed_cycle, deleted)
