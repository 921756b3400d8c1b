"""A stream's history, read outside any consumer group, for replays: every message, oldest first."""

from __future__ import annotations

import redis

from domains.kernel.memory_bus import MemoryBus
from domains.kernel.redis_bus import RedisBus

MESSAGES = [("tasks", f"body {n}") for n in range(5)] + [("other", "elsewhere")]


def test_the_memory_bus_keeps_every_message_even_once_acknowledged() -> None:
    bus = MemoryBus()
    bus.ensure_group("g", ["tasks"])
    bus.publish(MESSAGES)
    bus.ack("g", bus.read("g", "c", ["tasks"], 10, 0, False))
    assert [d.body for d in bus.history("tasks")] == [f"body {n}" for n in range(5)]
    assert list(bus.history("nothing")) == []


def test_the_redis_bus_pages_through_a_stream(redis_url: str, stream_prefix: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        bus = RedisBus(client, stream_prefix)
        bus.publish(MESSAGES)
        assert [d.body for d in bus.history("tasks", page=2)] == [f"body {n}" for n in range(5)]
        assert [d.body for d in bus.history("other", page=1)] == ["elsewhere"]
        assert list(bus.history("nothing")) == []
    finally:
        client.close()
