"""App Home publishes coalesced per user, on a clock the test moves: the latest state wins, none is lost."""

from __future__ import annotations

from dataclasses import dataclass

from bot.home_queue import LEASE_S, MemoryHomeQueue


@dataclass
class Seconds:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def test_many_changes_for_a_user_make_one_publish_a_moment_later() -> None:
    clock = Seconds()
    queue = MemoryHomeQueue(delay_s=0.3, interval_s=5, clock=clock)
    for _ in range(100):
        queue.mark(["U1", "U2"])
    assert queue.take(50) == ([], 1000 + LEASE_S)
    clock.now += 0.3
    users, lease = queue.take(50)
    assert sorted(users) == ["U1", "U2"]
    for user in users:
        queue.done(user, lease)
    assert queue.next_due() is None


def test_a_user_published_is_not_published_again_before_the_interval() -> None:
    clock = Seconds()
    queue = MemoryHomeQueue(delay_s=0.3, interval_s=5, clock=clock)
    queue.mark(["U1"])
    clock.now += 0.3
    _users, lease = queue.take(50)
    queue.done("U1", lease)
    queue.mark(["U1"])
    assert queue.next_due() == 5.0
    clock.now += 4.9
    assert queue.take(50)[0] == []
    clock.now += 0.1
    assert queue.take(50)[0] == ["U1"]


def test_a_change_during_a_publish_is_published_after_it() -> None:
    clock = Seconds()
    queue = MemoryHomeQueue(delay_s=0.3, interval_s=5, clock=clock)
    queue.mark(["U1"])
    clock.now += 0.3
    _users, lease = queue.take(50)
    queue.mark(["U1"])  # the home was rendered before this change
    queue.done("U1", lease)
    assert queue.next_due() == 5.0


def test_a_publish_that_never_finished_is_due_again_when_its_lease_runs_out() -> None:
    clock = Seconds()
    queue = MemoryHomeQueue(delay_s=0.3, interval_s=5, clock=clock)
    queue.mark(["U1"])
    clock.now += 0.3
    assert queue.take(50)[0] == ["U1"]  # and the publisher died
    assert queue.take(50)[0] == []
    clock.now += LEASE_S
    assert queue.take(50)[0] == ["U1"]
