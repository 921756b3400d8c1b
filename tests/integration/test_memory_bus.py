"""The embedded runtime's in-process bus keeps Redis Streams' promises: groups, pending, acks, reclaim."""

from __future__ import annotations

import threading

import pytest

from domains.kernel.consumer import Consumer, OneByOne, RetryPolicy, events_on
from domains.kernel.contracts import UserDeleted
from domains.kernel.events import Event, Payload, make_event
from domains.kernel.memory_bus import MemoryBus


class Recorder(OneByOne):
    """An applier that records what it applied, and can be told to fail."""

    group = "recorder"
    topics = ("users",)
    handles = events_on(topics)
    ignores: frozenset[type[Payload]] = frozenset()

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.failures_left = 0

    def apply(self, event: Event) -> bool:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("handler bug")
        self.applied.append(event.data["user_id"])
        return True


def publish(bus: MemoryBus, *users: str) -> None:
    bus.publish([("users", make_event("identity", UserDeleted(user_id=u)).to_json()) for u in users])


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus()


def test_a_group_created_late_reads_from_the_first_message(bus: MemoryBus) -> None:
    publish(bus, "U1", "U2")
    recorder = Recorder()
    consumer = Consumer(bus, recorder, "c1")
    assert consumer.poll(0) == 2
    assert recorder.applied == ["U1", "U2"]
    assert bus.pending_count("recorder", "users") == 0


def test_each_group_gets_every_message_and_members_share_one(bus: MemoryBus) -> None:
    first, second = Recorder(), Recorder()
    other_group = Recorder()
    other_group.group = "other"
    consumers = [Consumer(bus, first, "a"), Consumer(bus, second, "b"), Consumer(bus, other_group, "c")]
    publish(bus, "U1", "U2", "U3")
    for consumer in consumers:
        consumer.poll(0)
    assert sorted(first.applied + second.applied) == ["U1", "U2", "U3"]
    assert other_group.applied == ["U1", "U2", "U3"]


def test_a_failing_message_stays_pending_then_is_retried_then_dead_lettered(bus: MemoryBus) -> None:
    recorder = Recorder()
    consumer = Consumer(bus, recorder, "c1", policy=RetryPolicy(max_attempts=3))
    publish(bus, "U1")
    recorder.failures_left = 1
    assert consumer.poll(0) == 0
    assert bus.pending_count("recorder", "users") == 1
    assert consumer.poll(0) == 1
    assert recorder.applied == ["U1"]

    publish(bus, "U2")
    recorder.failures_left = 5
    settled = [consumer.poll(0) for _ in range(3)]
    assert settled == [0, 0, 1]
    assert [d.error for d in bus.dead_letters("users")] == ["after 3 attempt(s): RuntimeError: handler bug"]
    publish(bus, "U3")
    recorder.failures_left = 0
    consumer.poll(0)
    assert recorder.applied == ["U1", "U3"]


def test_an_invalid_message_goes_to_the_dead_letters_at_once(bus: MemoryBus) -> None:
    recorder = Recorder()
    consumer = Consumer(bus, recorder, "c1")
    bus.publish([("users", '{"event_name": "Nope"}')])
    publish(bus, "U1")
    assert consumer.poll(0) == 2
    assert recorder.applied == ["U1"]
    assert len(bus.dead_letters("users")) == 1


def test_what_a_dead_member_left_pending_is_reclaimed(bus: MemoryBus) -> None:
    dead, alive = Recorder(), Recorder()
    Consumer(bus, dead, "dead")
    publish(bus, "U1")
    assert bus.read("recorder", "dead", ["users"], 10, 0, backlog=False)
    rescuer = Consumer(bus, alive, "alive", policy=RetryPolicy(reclaim_idle_s=0))
    assert rescuer.reclaim() == 1
    assert alive.applied == ["U1"]
    assert bus.pending_count("recorder", "users") == 0


def test_a_blocked_read_wakes_when_a_message_arrives(bus: MemoryBus) -> None:
    bus.ensure_group("g", ["users"])
    threading.Timer(0.05, publish, args=(bus, "U1")).start()
    assert len(bus.read("g", "c", ["users"], 10, 5000, backlog=False)) == 1
