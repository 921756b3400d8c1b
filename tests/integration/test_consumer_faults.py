"""A consumer's bad days: poison events, failing handlers, outages and dead members (real PostgreSQL and Redis)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError

from domains.kernel import events as registry
from domains.kernel.consumer import Consumer, RetryPolicy, events_on
from domains.kernel.contracts import TASK_LIFECYCLE, TASKS, TaskAssigned
from domains.kernel.events import Event, Payload
from domains.kernel.redis_bus import GroupStatus, RedisBus
from jobs.cli import main as ates
from jobs.runtime import Runtime
from tests.backbone import (
    applied_count,
    assert_applied_exactly_once,
    bodies,
    group_status,
    ledger,
    task_traffic,
)
from tests.e2e.harness import eventually

TOPICS = [TASKS, TASK_LIFECYCLE]


def redis_bus(runtime: Runtime) -> RedisBus:
    assert isinstance(runtime.bus, RedisBus)
    return runtime.bus


def drain(consumer: Consumer, done: Callable[[], bool]) -> None:
    """Poll until `done`."""
    eventually(lambda: consumer.poll(block_ms=50) >= 0 and done(), bool)


class TaskAssignedV9(Payload):
    """A version from a later release: what the fix (a deploy that knows it) brings."""

    NAME = "TaskAssigned"
    VERSION = 9
    TOPIC = TASK_LIFECYCLE
    task_id: str
    assignee_id: str
    previous_assignee_id: str | None
    reason: str

    def upcast(self) -> Payload:
        return TaskAssigned.model_validate(self.model_dump(exclude={"reason"}))


def test_poison_goes_to_the_dlq_the_consumer_keeps_going_and_replay_applies_it_once(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = redis_bus(runtime)
    before, after = task_traffic(2, ["U1"], seed=1), task_traffic(2, ["U1"], seed=2)
    created = task_traffic(1, ["U9"], seed=3)[0]
    invalid = Event(event_name="TaskAssigned", event_version=1, producer="tasks", data={"task_id": "not-a-uuid"})
    future = Event(
        event_name="TaskAssigned",
        event_version=9,
        producer="tasks",
        data={"task_id": created.data["task_id"], "assignee_id": "U9", "previous_assignee_id": None, "reason": "new"},
    )
    poison = [(TASK_LIFECYCLE, invalid.to_json()), (TASK_LIFECYCLE, future.to_json())]
    bus.publish(bodies(before) + poison + bodies([created, *after]))
    consumer = runtime.consumer("accounting", WebClient())
    good = [*before, created, *after]
    drain(consumer, lambda: applied_count(runtime.sessions) == len(good))
    assert_applied_exactly_once(runtime.sessions, good)

    letters = {d.body: d for d in bus.dead_letters(TASK_LIFECYCLE)}
    assert set(letters) == {invalid.to_json(), future.to_json()}
    assert "unknown event TaskAssigned v9" in letters[future.to_json()].error
    assert "assignee_id" in letters[invalid.to_json()].error
    assert {d.group for d in letters.values()} == {"accounting"}
    assert ates(["dlq", "list"]) == 0
    listing = capsys.readouterr().out
    assert letters[future.to_json()].message_id in listing and "2 dead letters" in listing

    monkeypatch.setitem(registry._REGISTRY, ("TaskAssigned", 9), TaskAssignedV9)  # the fix is deployed
    assert ates(["dlq", "replay", "--id", letters[future.to_json()].message_id]) == 0
    assert ates(["dlq", "replay", "--id", letters[future.to_json()].message_id]) == 1  # gone: nothing to replay
    bus.publish(poison[1:])  # and a late redelivery of the same event changes nothing
    drain(consumer, lambda: group_status(bus, TASK_LIFECYCLE, "accounting") == GroupStatus("accounting", 0, 0))
    charges = [r for r in ledger(runtime.sessions).records if r[0] == "U9"]
    assert len(charges) == 1 and charges[0][1] == "withdraw"

    assert ates(["dlq", "replay"]) == 1  # the invalid one still fails and stays
    assert [d.body for d in bus.dead_letters(TASK_LIFECYCLE)] == [invalid.to_json()]
    assert ates(["dlq", "drop", "--id", letters[invalid.to_json()].message_id]) == 0
    assert bus.dead_letters(TASK_LIFECYCLE) == []


@dataclass
class FlakyApplier:
    """An applier whose handler fails on the events in `broken`, and while the database is `away`."""

    broken: set[str]
    away: int = 0
    group: str = "flaky"
    topics: tuple[str, ...] = (TASKS, TASK_LIFECYCLE)
    handles: frozenset[type[Payload]] = events_on((TASKS, TASK_LIFECYCLE))
    ignores: frozenset[type[Payload]] = frozenset()
    attempts: Counter[str] = field(default_factory=Counter)
    applied: list[str] = field(default_factory=list)

    def apply_many(self, events: list[Event]) -> None:
        """All or nothing, like the real one's transaction: a batch holding a failing event applies none."""
        if self.away or self.broken & {str(e.event_id) for e in events}:
            raise RuntimeError("a batch holding a failing event")
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> bool:
        self.attempts[str(event.event_id)] += 1
        if self.away:
            self.away -= 1
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        if str(event.event_id) in self.broken:
            raise RuntimeError("the handler has a bug")
        self.applied.append(str(event.event_id))
        return True


class PausesSeen(threading.Event):
    """A stop event that remembers every pause the consumer took."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout)
        return super().wait(timeout)


def run_until(consumer: Consumer, done: Callable[[], bool]) -> PausesSeen:
    stop = PausesSeen()
    worker = threading.Thread(target=consumer.run, args=(stop, 50))
    worker.start()
    try:
        eventually(done, bool)
    finally:
        stop.set()
        worker.join()
    return stop


def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered_and_the_consumer_moves_on(
    runtime: Runtime,
) -> None:
    bus = redis_bus(runtime)
    events = task_traffic(3, ["U1"])
    bad = str(events[2].event_id)
    applier = FlakyApplier(broken={bad})
    policy = RetryPolicy(max_attempts=4, backoff_s=0.01, reclaim_idle_s=60)
    consumer = Consumer(bus, applier, "member-1", policy=policy)
    bus.publish(bodies(events))
    stop = run_until(consumer, lambda: len(applier.applied) == 5)
    assert applier.attempts[bad] == 4
    assert stop.pauses[:3] == [0.01, 0.02, 0.04]  # doubling, and no pause once it was dead-lettered
    [letter] = bus.dead_letters(events[2].topic)
    assert letter.error == "after 4 attempt(s): RuntimeError: the handler has a bug"
    assert letter.body == events[2].to_json() and letter.group == "flaky"
    assert sorted(applier.applied) == sorted(str(e.event_id) for e in events if str(e.event_id) != bad)
    assert group_status(bus, events[2].topic, "flaky").pending == 0


def test_an_outage_is_waited_out_without_counting_against_the_event(runtime: Runtime) -> None:
    bus = redis_bus(runtime)
    events = task_traffic(1, ["U1"])
    applier = FlakyApplier(broken=set(), away=5)
    consumer = Consumer(bus, applier, "member-1", policy=RetryPolicy(max_attempts=1, backoff_s=0.01))
    bus.publish(bodies(events))
    stop = run_until(consumer, lambda: len(applier.applied) == 2)
    assert [bus.dead_letters(topic) for topic in TOPICS] == [[], []]
    assert stop.pauses[:5] == [0.01, 0.02, 0.04, 0.08, 0.16]


def test_what_a_dead_member_left_pending_is_reclaimed_after_the_timeout_and_applied_once(runtime: Runtime) -> None:
    bus = redis_bus(runtime)
    events = task_traffic(20, ["U1", "U2"])
    survivor = runtime.consumer("accounting", WebClient())  # creates the group
    bus.publish(bodies(events))
    taken = bus.read("accounting", "dead-member", TOPICS, 100, 0, False)  # read, then died before acking
    assert len(taken) == len(events)
    assert survivor.poll(block_ms=50) == 0  # new entries: none; the dead member's are not reclaimed yet
    run_until(survivor, lambda: applied_count(runtime.sessions) == len(events))
    assert_applied_exactly_once(runtime.sessions, events)
    assert [group_status(bus, t, "accounting").pending for t in TOPICS] == [0, 0]
