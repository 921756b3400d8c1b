"""Analytics' read models: management's earnings, workers in the negative, the most expensive task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domains.analytics.model import Span, enclosing_spans, management_earnings
from domains.analytics.tables import Balance, CompletedTask, CycleEarnings


@dataclass(frozen=True)
class ExpensiveTask:
    task_id: str
    title: str | None
    jira_id: str | None
    reward_cents: int
    completed_cycle: date
    deleted: bool


@dataclass(frozen=True)
class Report:
    """What `/analytics` and the daily post show for a span."""

    span: Span
    earnings_cents: int
    daily_earnings: list[tuple[date, int]]
    workers_in_negative: int
    most_expensive: list[tuple[Span, ExpensiveTask | None]]


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


def most_expensive_task(sessions: sessionmaker[Session], span: Span) -> ExpensiveTask | None:
    """The highest reward among tasks completed in the span (the first completed wins a tie)."""
    with sessions() as session:
        task = session.execute(
            select(CompletedTask)
            .where(
                CompletedTask.completed_cycle.between(span.first, span.last), CompletedTask.reward_cents.is_not(None)
            )
            .order_by(CompletedTask.reward_cents.desc(), CompletedTask.completed_at, CompletedTask.task_id)
            .limit(1)
        ).scalar_one_or_none()
    if task is None or task.reward_cents is None or task.completed_cycle is None:
        return None
    return ExpensiveTask(task.task_id, task.title, task.jira_id, task.reward_cents, task.completed_cycle, task.deleted)


def report(sessions: sessionmaker[Session], span: Span) -> Report:
    daily = earnings_by_day(sessions, span)
    return Report(
        span=span,
        earnings_cents=sum(cents for _, cents in daily),
        daily_earnings=daily,
        workers_in_negative=workers_in_negative(sessions),
        most_expensive=[(each, most_expensive_task(sessions, each)) for each in enclosing_spans(span)],
    )
