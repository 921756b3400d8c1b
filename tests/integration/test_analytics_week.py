"""A scripted week through the real tasks and accounting handlers: analytics agrees with accounting,
and `ates replay analytics` rebuilds the same numbers from the streams (or, embedded, from the outboxes)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting import queries as accounting
from domains.accounting.consumers import subscription as accounting_subscription
from domains.accounting.model import PriceDraw
from domains.analytics import queries as analytics
from domains.analytics.consumers import subscription as analytics_subscription
from domains.analytics.handlers import AnalyticsUnitOfWork, reset
from domains.analytics.model import day_of, month_of, week_of
from domains.kernel.clock import cycle_of
from domains.kernel.consumer import Consumer, Subscription
from domains.kernel.contracts import UserCreated
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import make_event
from domains.kernel.redis_bus import RedisBus
from domains.kernel.relay import relay_once
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks import handlers as tasks
from domains.tasks.commands import CompleteTask, CreateTask, ShuffleTasks
from domains.tasks.consumers import subscription as tasks_subscription
from domains.tasks.queries import get_task
from domains.tasks.tables import Task
from jobs.replay import outbox_history, replay
from jobs.runtime import OUTBOXES

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ["U1", "U2", "U3", "U4"]
MONDAY = date(2026, 11, 16)


@dataclass
class World:
    engine: Engine
    sessions: sessionmaker[Session]
    bus: RedisBus
    analytics: Subscription[AnalyticsUnitOfWork]
    consumers: list[Consumer]
    now: list[datetime]

    def tasks_uow(self) -> UnitOfWork:
        """The tasks domain on this week's clock, as accounting is."""
        return tasks.unit_of_work(self.sessions, lambda: self.now[0])

    def pump(self) -> None:
        """Relay and consume until nothing moves, so each day's money is charged on that day."""
        while True:
            moved = sum(relay_once(self.engine, outbox, self.bus) for outbox in OUTBOXES)
            moved += sum(consumer.poll(block_ms=1) for consumer in self.consumers)
            if not moved:
                return


@pytest.fixture
def world(pg_url: str, redis_url: str, stream_prefix: str) -> Iterator[World]:
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    bus = RedisBus(client, stream_prefix)
    now = [datetime.combine(MONDAY, datetime.min.time(), UTC)]
    utc = ZoneInfo("UTC")
    accounting_group = accounting_subscription(sessions, PriceDraw(random.Random(5)), utc, clock=lambda: now[0])
    analytics = analytics_subscription(sessions, utc)
    consumers = [Consumer(bus, s, "test") for s in (tasks_subscription(sessions), accounting_group, analytics)]
    yield World(engine, sessions, bus, analytics, consumers, now)
    client.close()
    engine.dispose()


def play_week(world: World) -> list[date]:
    """Seven days of creating, shuffling and completing tasks, each day's events consumed before the next."""
    for user_id in WORKERS:
        event = make_event(
            "identity", UserCreated(user_id=user_id, name=user_id, email=None, avatar_url=None, role="worker")
        )
        world.bus.publish([(event.topic, event.to_json())])
    world.pump()
    rng = random.Random(11)
    days = [MONDAY + timedelta(days=n) for n in range(7)]
    for number, day in enumerate(days):
        world.now[0] = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
        created = [
            tasks.create_task(
                world.tasks_uow(),
                CreateTask(author_id="UA", title=f"task {day} #{n}", jira_id=f"UP-{number}{n}"),
                rng,
            )
            for n in range(rng.randint(2, 5))
        ]
        if number % 3 == 1:
            tasks.shuffle_tasks(world.tasks_uow(), ShuffleTasks(), rng)
        world.pump()
        for task in created[: rng.randint(0, len(created))]:
            assignee = _assignee(world, task.task_id)
            tasks.complete_task(world.tasks_uow(), CompleteTask(task_id=task.task_id, user_id=assignee))
        world.pump()
    return days


def _assignee(world: World, task_id: UUID) -> str:
    view = get_task(world.sessions, task_id)
    assert view is not None
    return view.assignee_id


Numbers = tuple[list[int], int, list[analytics.ExpensiveTask | None]]


def completion_days(world: World) -> list[date]:
    """The days the tasks domain dated its completions on."""
    with world.sessions() as session:
        moments = session.scalars(select(Task.completed_at))
        return sorted({cycle_of(moment, ZoneInfo("UTC")) for moment in moments if moment is not None})


def numbers(world: World, days: list[date]) -> Numbers:
    return (
        [analytics.earnings_of(world.sessions, day) for day in days],
        analytics.workers_in_negative(world.sessions),
        [
            analytics.most_expensive_task(world.sessions, span)
            for completed in completion_days(world)
            for span in (day_of(completed), week_of(completed), month_of(completed))
        ],
    )


def test_analytics_earnings_per_day_agree_with_accounting(world: World) -> None:
    days = play_week(world)
    ours = [analytics.earnings_of(world.sessions, day) for day in days]
    theirs = [accounting.earnings_of(world.sessions, day) for day in days]
    assert ours == theirs
    assert any(cents > 0 for cents in ours) and any(cents != 0 for cents in ours[1:])
    balances = [accounting.balance_of(world.sessions, worker) for worker in WORKERS]
    assert analytics.workers_in_negative(world.sessions) == sum(balance < 0 for balance in balances)
    top = analytics.most_expensive_task(world.sessions, week_of(completion_days(world)[-1]))
    assert top is not None and top.title is not None and top.title.startswith("task ") and top.jira_id


def test_a_replay_rebuilds_the_same_numbers_from_the_streams_or_the_outboxes(
    world: World, pg_url: str, redis_url: str, stream_prefix: str
) -> None:
    days = play_week(world)
    before = numbers(world, days)
    earnings, _, most_expensive = before
    assert any(earnings) and all(most_expensive)
    reset(world.sessions)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ATES_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=pg_url, REDIS_URL=redis_url, ATES_STREAM_PREFIX=stream_prefix)
    run = subprocess.run(
        [sys.executable, "-m", "jobs.cli", "replay", "analytics"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "replay analytics: applied" in run.stdout
    assert numbers(world, days) == before

    reset(world.sessions)  # the embedded runtime's streams die with its process: it replays from the outboxes
    assert analytics.workers_in_negative(world.sessions) == 0
    history = outbox_history(world.engine, OUTBOXES, world.analytics.topics)
    done = replay(world.analytics, lambda: reset(world.sessions), history)
    assert done.applied > 0 and done.invalid == 0
    assert numbers(world, days) == before
