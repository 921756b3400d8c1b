"""The pace of Slack Web API calls, and the fakes' gate, on a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.slack_pace import MemoryPace, Rate, RateGate, RedisPace, SlackLimits


@dataclass
class Seconds:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_method_keeps_its_tier_and_posts_their_channel_and_the_workspace() -> None:
    limits = SlackLimits()
    assert limits.keys("conversations.open", None) == [("conversations.open", Rate(50))]
    assert limits.keys("chat.update", "D1") == [("chat.update", Rate(50))]
    assert limits.keys("views.publish", None) == [("views.publish", Rate(100))]
    assert limits.keys("users.list", None) == [("users.list", Rate(20))]
    assert limits.keys("some.newMethod", None) == [("some.newMethod", Rate(20))]
    assert limits.keys("chat.postMessage", "U1") == [
        ("chat.postMessage", Rate(600)),
        ("chat.postMessage:U1", Rate(60)),
    ]


def test_calls_of_one_method_are_spaced_by_its_rate_and_other_methods_are_not_held_up() -> None:
    clock, limits = Seconds(), SlackLimits()
    pace = MemoryPace(clock)
    waits = [pace.reserve(limits.keys("conversations.open", None)) for _ in range(3)]
    assert waits == pytest.approx([0.0, 1.2, 2.4])
    assert pace.reserve(limits.keys("views.publish", None)) == 0.0
    clock.now += 10
    assert pace.reserve(limits.keys("conversations.open", None)) == 0.0  # an idle pace does not bank calls


def test_posts_to_different_channels_go_at_the_workspace_pace_and_to_one_channel_once_a_second() -> None:
    clock, limits = Seconds(), SlackLimits()
    pace = MemoryPace(clock)
    to_many = [pace.reserve(limits.keys("chat.postMessage", f"U{n}")) for n in range(3)]
    assert to_many == pytest.approx([0.0, 0.1, 0.2])
    assert pace.reserve(limits.keys("chat.postMessage", "U0")) == pytest.approx(1.0)


def test_a_burst_goes_at_once_and_then_the_rate_holds() -> None:
    pace, keys = MemoryPace(Seconds()), [("m", Rate(60, burst=3))]
    assert [pace.reserve(keys) for _ in range(5)] == pytest.approx([0.0, 0.0, 0.0, 1.0, 2.0])


def test_a_hold_delays_the_next_call_until_the_retry_after_has_passed() -> None:
    clock, keys = Seconds(), SlackLimits().keys("views.publish", None)
    pace = MemoryPace(clock)
    pace.reserve(keys)
    pace.hold(keys, 30)
    assert pace.reserve(keys) == pytest.approx(30.0)
    assert pace.reserve(keys) == pytest.approx(30.6)
    clock.now += 31
    assert pace.reserve(keys) == pytest.approx(0.2)


def test_the_gate_refuses_what_is_over_the_limit_and_says_when_to_come_back() -> None:
    clock = Seconds()
    gate = RateGate(SlackLimits(burst=2), clock)
    assert [gate.admit("chat.postMessage", "C1") for _ in range(2)] == [0.0, 0.0]
    assert gate.admit("chat.postMessage", "C1") == pytest.approx(1.0)
    assert gate.admit("chat.postMessage", "C2") == pytest.approx(0.1)  # the workspace's burst is spent too
    clock.now += 0.1
    assert gate.admit("chat.postMessage", "C2") == 0.0
    assert gate.admit("views.publish", None) == 0.0  # another method has its own limit
    clock.now += 0.9
    assert gate.admit("chat.postMessage", "C1") == 0.0


def test_calls_paced_at_the_limit_are_never_refused_by_the_gate() -> None:
    clock, limits = Seconds(), SlackLimits()
    pace, gate = MemoryPace(clock), RateGate(SlackLimits(burst=2), clock)
    for n in range(200):
        clock.now += pace.reserve(limits.keys("chat.postMessage", f"U{n % 3}"))
        assert gate.admit("chat.postMessage", f"U{n % 3}") == 0.0


def test_with_redis_away_the_process_keeps_its_own_pace() -> None:
    nowhere = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    pace, keys = RedisPace(nowhere, "test:"), SlackLimits().keys("conversations.open", None)
    pace.hold(keys, 0.5)
    assert pace.reserve(keys) == pytest.approx(0.5, abs=0.05)
    assert pace.reserve(keys) == pytest.approx(1.7, abs=0.05)
    nowhere.close()
