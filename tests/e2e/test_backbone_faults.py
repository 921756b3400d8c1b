"""The backbone under faults, with real processes: killed consumers, Redis and PostgreSQL restarts, SIGTERM."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.contracts import TASK_LIFECYCLE, TASKS
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import Event
from domains.kernel.redis_bus import RedisBus
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks.tables import inbox as tasks_inbox
from domains.tasks.tables import outbox as tasks_outbox
from tests.backbone import (
    PrivateRedis,
    applied_count,
    assert_applied_exactly_once,
    bodies,
    group_status,
    task_traffic,
)
from tests.conftest import PG_ADMIN_URL
from tests.e2e.harness import System, base_env, eventually

TOPICS = [TASKS, TASK_LIFECYCLE]
CONSUMER = ["-m", "jobs.consumers", "accounting"]
RELAY = ["-m", "jobs.relay"]
WORKERS = ["U1", "U2", "U3", "U4", "U5"]


@dataclass
class Backbone:
    system: System
    sessions: sessionmaker[Session]
    bus: RedisBus

    def pending(self) -> int:
        return sum(group_status(self.bus, topic, "accounting").pending for topic in TOPICS)


@contextmanager
def start_backbone(tmp_path: Path, pg_url: str, redis_url: str, prefix: str) -> Iterator[Backbone]:
    env = base_env(
        "http://127.0.0.1:9/api/",
        DATABASE_URL=pg_url,
        REDIS_URL=redis_url,
        ATES_STREAM_PREFIX=prefix,
        ATES_RECLAIM_IDLE_MS="500",
        ATES_CONSUMER_BATCH="20",  # the traffic below spans several batches
        ATES_RETRY_BACKOFF_MS="20",
    )
    engine = make_engine(pg_url)
    bus = RedisBus.from_url(redis_url, prefix)
    bus.ensure_group("accounting", TOPICS)
    system = System(env, tmp_path)
    try:
        yield Backbone(system, make_session_factory(engine), bus)
    finally:
        system.stop()
        bus.client.close()
        engine.dispose()


@pytest.fixture
def backbone(tmp_path: Path, pg_url: str, redis_url: str, stream_prefix: str) -> Iterator[Backbone]:
    with start_backbone(tmp_path, pg_url, redis_url, stream_prefix) as running:
        yield running


def write_outbox(sessions: sessionmaker[Session], events: list[Event]) -> None:
    """Commit events to the tasks outbox as the tasks domain does; retried until committed once."""
    while True:
        try:
            with UnitOfWork(sessions, "tasks", tasks_outbox, tasks_inbox) as uow:
                uow.emit_events(events)
                uow.commit()
            return
        except IntegrityError:
            return  # the commit went through before the connection dropped: the event ids are there
        except OperationalError:
            time.sleep(0.05)


def test_a_consumer_killed_mid_batch_leaves_its_events_to_another_which_applies_each_once(backbone: Backbone) -> None:
    events = task_traffic(150, WORKERS)
    backbone.bus.publish(bodies(events))
    first = backbone.system.spawn(CONSUMER, "accounting-1")
    eventually(lambda: applied_count(backbone.sessions), lambda n: n >= 30)
    with backbone.sessions() as close:  # hold the books as a running close would: the next batch waits for them
        close.execute(text("SELECT last_closed_cycle FROM accounting_books FOR UPDATE"))
        eventually(backbone.pending, lambda n: n > 0)
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert backbone.pending() > 0  # it died holding a batch it had not acknowledged
    assert applied_count(backbone.sessions) < len(events)
    backbone.system.spawn(CONSUMER, "accounting-2")
    eventually(lambda: (applied_count(backbone.sessions), backbone.pending()), lambda s: s == (len(events), 0))
    assert_applied_exactly_once(backbone.sessions, events)


def test_several_consumers_charging_the_same_accounts_do_not_deadlock(backbone: Backbone) -> None:
    events = task_traffic(60, WORKERS[:2])
    backbone.bus.publish(bodies(events))
    for n in range(3):
        backbone.system.spawn(CONSUMER, f"accounting-{n}")
    eventually(lambda: (applied_count(backbone.sessions), backbone.pending()), lambda s: s == (len(events), 0))
    assert_applied_exactly_once(backbone.sessions, events)
    logs = "".join(backbone.system.log(f"accounting-{n}") for n in range(3))
    assert "deadlock" not in logs.lower()


def test_sigterm_lets_the_batch_commit_and_acknowledge_then_exits(backbone: Backbone) -> None:
    events = task_traffic(150, WORKERS)
    backbone.bus.publish(bodies(events))
    consumer = backbone.system.spawn(CONSUMER, "accounting-1")
    eventually(lambda: applied_count(backbone.sessions), lambda n: n >= 30)
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=20) == 0
    assert backbone.pending() == 0  # what it had read, it applied and acknowledged
    statuses = [s for s in backbone.bus.status() if s.topic in TOPICS]
    delivered = sum(s.length - (s.groups[0].lag or 0) for s in statuses)
    assert applied_count(backbone.sessions) == delivered


def test_the_relay_and_consumers_ride_out_redis_restarts(tmp_path: Path, pg_url: str, stream_prefix: str) -> None:
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    try:
        with start_backbone(tmp_path, pg_url, redis_server.url, stream_prefix) as backbone:
            backbone.system.spawn(RELAY, "relay")
            backbone.system.spawn(CONSUMER, "accounting-1")
            events = task_traffic(60, WORKERS)
            for start in range(0, len(events), 40):  # 20 tasks flow; Redis dies; 20 more are written meanwhile; …
                write_outbox(backbone.sessions, events[start : start + 20])
                flowing = start + 10  # some of them are through: events are flowing when Redis dies
                eventually(lambda: applied_count(backbone.sessions) >= flowing, bool, timeout=60)  # noqa: B023
                redis_server.kill()
                write_outbox(backbone.sessions, events[start + 20 : start + 40])
                time.sleep(0.3)
                redis_server.start()
            eventually(lambda: applied_count(backbone.sessions), lambda n: n == len(events), timeout=60)
            assert_applied_exactly_once(backbone.sessions, events)
    finally:
        redis_server.kill()


# What psycopg says when a backend is killed: mid-statement, or on the next use of its connection within the batch.
BACKEND_KILLED = ("terminating connection due to administrator command", "the connection is lost")


def test_the_relay_and_consumers_ride_out_postgresql_dropping_every_connection(backbone: Backbone, pg_url: str) -> None:
    """PostgreSQL is shared with other test runs, so it is not restarted: instead every backend of this test's
    own database is killed with pg_terminate_backend, again and again while events flow, which is what
    the relay and the consumers see of a restart."""
    database = pg_url.rsplit("/", 1)[1]
    backbone.system.spawn(RELAY, "relay")
    backbone.system.spawn(CONSUMER, "accounting-1")
    events = task_traffic(60, WORKERS)
    producer = threading.Thread(target=produce, args=(backbone.sessions, events, 8))
    producer.start()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        while producer.is_alive() or applied_count(backbone.sessions) < len(events) // 2:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
            time.sleep(0.02)  # often: a batch is in flight for only a few milliseconds
    producer.join()
    eventually(lambda: applied_count(backbone.sessions), lambda n: n == len(events), timeout=60)
    assert_applied_exactly_once(backbone.sessions, events)
    logs = backbone.system.log("relay") + backbone.system.log("accounting-1")
    assert any(message in logs for message in BACKEND_KILLED)  # the faults hit work in flight


def produce(sessions: sessionmaker[Session], events: list[Event], per_commit: int) -> None:
    for start in range(0, len(events), per_commit):
        write_outbox(sessions, events[start : start + per_commit])
        time.sleep(0.05)
