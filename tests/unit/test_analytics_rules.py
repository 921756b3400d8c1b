"""Analytics' handler rules, on an in-memory unit of work: events folded into its tables, v1 and v2 alike, in any
order, each once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domains.analytics import tables as analytics_tables
from domains.analytics.consumers import subscription
from domains.analytics.handlers import AnalyticsUnitOfWork
from domains.analytics.model import day_of, month_of, week_of
from domains.analytics.queries import (
    earnings_by_day,
    earnings_of,
    most_expensive_task,
    negative_by_day,
    report,
    workers_in_negative,
)
from domains.kernel.consumer import Subscription
from domains.kernel.contracts import TaskDeleted, TaskUpdatedV1, TaskUpdatedV2
from domains.kernel.events import make_event
from tests.in_memory import in_memory_sessions
from tests.integration.analytics_events import completed, created_v1, created_v2, fee, priced, record, reward

DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def sessions() -> sessionmaker[Session]:
    return in_memory_sessions(analytics_tables.metadata)


@pytest.fixture
def analytics(sessions: sessionmaker[Session]) -> Subscription[AnalyticsUnitOfWork]:
    return subscription(sessions, ZoneInfo("UTC"))


def test_v1_titles_give_up_their_jira_key_and_v2_keeps_its_own(
    analytics: Subscription[AnalyticsUnitOfWork], sessions: sessionmaker[Session]
) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    for event in [created_v1(old, "[UP-7] Polish the feathers"), *priced(old, 3_100), completed(old, NOON)]:
        analytics.apply(event)
    for event in [created_v2(new, "Sharpen the beak", "UP-8"), *priced(new, 3_900), completed(new, NOON)]:
        analytics.apply(event)

    top = most_expensive_task(sessions, day_of(DAY))
    assert top is not None and (top.title, top.jira_id, top.reward_cents) == ("Sharpen the beak", "UP-8", 3_900)

    analytics.apply(make_event("tasks", TaskUpdatedV2(task_id=new, title="Beak", jira_id=None, description="")))
    analytics.apply(make_event("tasks", TaskUpdatedV1(task_id=old, title="[UP-70] Feathers", description="")))
    analytics.apply(make_event("tasks", TaskDeleted(task_id=new)))
    top = most_expensive_task(sessions, day_of(DAY))
    assert top is not None and (top.title, top.jira_id, top.deleted) == ("Beak", None, True)
    analytics.apply(priced(old, 3_100)[0])  # prices never change: the same again is harmless
    assert most_expensive_task(sessions, week_of(DAY)) == top


def test_a_completion_before_its_price_and_its_task_still_counts_once(
    analytics: Subscription[AnalyticsUnitOfWork], sessions: sessionmaker[Session]
) -> None:
    task_id = uuid.uuid4()
    done = completed(task_id, NOON)
    assert analytics.apply(done)
    assert most_expensive_task(sessions, day_of(DAY)) is None  # no reward known yet

    price_events = priced(task_id, 2_700)
    analytics.apply(price_events[1])
    top = most_expensive_task(sessions, day_of(DAY))
    assert top is not None and top.reward_cents == 2_700 and top.title is None

    analytics.apply(created_v2(task_id, "Fix the beak", "UP-42"))
    assert not analytics.apply(done)  # delivered again: already applied
    analytics.apply(price_events[0])
    top = most_expensive_task(sessions, month_of(DAY))
    assert top is not None and (top.title, top.jira_id, top.completed_cycle) == ("Fix the beak", "UP-42", DAY)


def test_the_most_expensive_task_is_looked_for_in_its_span_only(
    analytics: Subscription[AnalyticsUnitOfWork], sessions: sessionmaker[Session]
) -> None:
    rewards = {date(2026, 11, 2): 4_000, date(2026, 11, 19): 2_500, DAY: 3_000, date(2026, 12, 1): 3_900}
    for cycle, cents in rewards.items():
        task_id = uuid.uuid4()
        at = datetime.combine(cycle, NOON.timetz())
        for event in [created_v2(task_id, f"task of {cycle}", None), *priced(task_id, cents), completed(task_id, at)]:
            analytics.apply(event)
    never_done = uuid.uuid4()
    for event in [created_v2(never_done, "open", None), *priced(never_done, 4_000)]:
        analytics.apply(event)

    month = report(sessions, month_of(DAY), date(2026, 11, 30))
    tops = {figures.day: figures.most_expensive.reward_cents for figures in month.days if figures.most_expensive}
    assert tops == {date(2026, 11, 2): 4_000, date(2026, 11, 19): 2_500, DAY: 3_000}
    assert month.most_expensive is not None and month.most_expensive.reward_cents == 4_000
    week = report(sessions, week_of(DAY), date(2026, 11, 30))
    assert week.most_expensive is not None and week.most_expensive.reward_cents == 3_000
    assert most_expensive_task(sessions, day_of(date(2026, 11, 21))) is None


def test_a_completion_is_dated_by_the_company_time_zone(sessions: sessionmaker[Session]) -> None:
    tokyo = subscription(sessions, ZoneInfo("Asia/Tokyo"))
    task_id = uuid.uuid4()
    for event in [*priced(task_id, 2_200), completed(task_id, datetime(2026, 11, 20, 16, 0, tzinfo=UTC))]:
        tokyo.apply(event)
    assert most_expensive_task(sessions, day_of(DAY)) is None
    assert most_expensive_task(sessions, day_of(date(2026, 11, 21))) is not None


@pytest.mark.parametrize("reward_first", [False, True])
def test_a_task_counts_on_the_day_its_reward_was_booked(reward_first: bool, sessions: sessionmaker[Session]) -> None:
    """Completed late on the 20th after that day was closed early: accounting booked the reward on the 21st."""
    analytics = subscription(sessions, ZoneInfo("UTC"))
    task_id = uuid.uuid4()
    booked = reward("U1", 2_200, date(2026, 11, 21), task_id)
    done = completed(task_id, datetime(2026, 11, 20, 23, 0, tzinfo=UTC))
    for event in [*priced(task_id, 2_200), *([booked, done] if reward_first else [done, booked])]:
        analytics.apply(event)
    assert most_expensive_task(sessions, day_of(DAY)) is None
    top = most_expensive_task(sessions, day_of(date(2026, 11, 21)))
    assert top is not None and top.completed_cycle == date(2026, 11, 21)


def test_earnings_are_fees_minus_rewards_per_billing_cycle(
    analytics: Subscription[AnalyticsUnitOfWork], sessions: sessionmaker[Session]
) -> None:
    events = [
        fee("U1", 1_500, DAY),
        fee("U2", 1_200, DAY),
        reward("U1", 3_000, DAY),
        fee("U1", 1_000, date(2026, 11, 21)),
    ]
    for event in events:
        analytics.apply(event)
    analytics.apply(events[0])  # a redelivery
    assert earnings_of(sessions, DAY) == 1_500 + 1_200 - 3_000
    assert earnings_by_day(sessions, week_of(DAY))[3:7] == [
        (date(2026, 11, 19), 0),
        (DAY, -300),
        (date(2026, 11, 21), 1_000),
        (date(2026, 11, 22), 0),
    ]
    assert report(sessions, week_of(DAY), date(2026, 11, 30)).earnings_cents == 700


def test_workers_in_the_negative_from_audit_records_in_any_order(
    analytics: Subscription[AnalyticsUnitOfWork], sessions: sessionmaker[Session]
) -> None:
    records = [
        record("U1", -1_500, -1_500, DAY),
        record("U1", 3_000, 1_500, DAY),
        record("U2", -1_200, -1_200, DAY),
        record("U3", -1_000, -1_000, DAY),
        record("U3", 2_000, 1_000, DAY),
    ]
    for event in reversed(records):
        analytics.apply(event)
    analytics.apply(records[2])
    assert workers_in_negative(sessions) == 1
    analytics.apply(record("U1", -1_500, 0, DAY))  # the payout
    analytics.apply(record("U1", -1_100, -1_100, date(2026, 11, 21)))
    assert workers_in_negative(sessions) == 2
    next_day = date(2026, 11, 21)
    assert negative_by_day(sessions, [date(2026, 11, 19), DAY, next_day], date(2026, 11, 25)) == [0, 1, 2]
    assert negative_by_day(sessions, [DAY], today=DAY) == [2]  # today is "now": money landed in the next cycle
