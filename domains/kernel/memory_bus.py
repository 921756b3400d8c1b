"""The in-process bus of the embedded runtime: the same groups, pending lists and acks as Redis Streams."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from domains.kernel.bus import DeadLetter, Delivery, GroupStatus, StreamStatus

DLQ_SUFFIX = ".dlq"


@dataclass
class _Pending:
    consumer: str
    delivery: Delivery
    delivered_at: float
    index: int  # the entry's place in its stream, counting trimmed entries too


@dataclass
class _Group:
    next_index: int = 0
    pending: dict[str, _Pending] = field(default_factory=dict)


class MemoryBus:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._streams: dict[str, list[tuple[str, str]]] = {}
        self._trimmed: dict[str, int] = {}  # how many entries each stream has dropped from its front
        self._groups: dict[tuple[str, str], _Group] = {}
        self._dead: dict[str, list[DeadLetter]] = {}
        self._sequence = 0

    def publish(self, messages: list[tuple[str, str]]) -> None:
        with self._changed:
            for topic, body in messages:
                self._sequence += 1
                self._streams.setdefault(topic, []).append((f"{self._sequence}-0", body))
            self._changed.notify_all()

    def ensure_group(self, group: str, topics: list[str]) -> None:
        with self._changed:
            for topic in topics:
                self._streams.setdefault(topic, [])
                self._groups.setdefault((topic, group), _Group())

    def read(
        self, group: str, consumer: str, topics: list[str], count: int, block_ms: int, backlog: bool
    ) -> list[Delivery]:
        deadline = time.monotonic() + block_ms / 1000
        with self._changed:
            while True:
                found = (
                    self._own_pending(group, consumer, topics, count)
                    if backlog
                    else self._take_new(group, consumer, topics, count)
                )
                remaining = deadline - time.monotonic()
                if found or backlog or remaining <= 0:
                    return found
                self._changed.wait(remaining)

    def _own_pending(self, group: str, consumer: str, topics: list[str], count: int) -> list[Delivery]:
        found = [
            entry.delivery
            for topic in topics
            for entry in self._groups[(topic, group)].pending.values()
            if entry.consumer == consumer
        ]
        return found[:count]

    def _take_new(self, group: str, consumer: str, topics: list[str], count: int) -> list[Delivery]:
        found: list[Delivery] = []
        for topic in topics:
            state = self._groups[(topic, group)]
            stream, offset = self._streams[topic], self._trimmed.get(topic, 0)
            while state.next_index - offset < len(stream) and len(found) < count:
                message_id, body = stream[state.next_index - offset]
                delivery = Delivery(topic, message_id, body)
                state.pending[message_id] = _Pending(consumer, delivery, time.monotonic(), state.next_index)
                state.next_index += 1
                found.append(delivery)
        return found

    def ack(self, group: str, deliveries: list[Delivery]) -> None:
        with self._changed:
            for delivery in deliveries:
                self._groups[(delivery.topic, group)].pending.pop(delivery.message_id, None)

    def reclaim(self, group: str, consumer: str, topics: list[str], min_idle_ms: int, count: int) -> list[Delivery]:
        now = time.monotonic()
        claimed: list[Delivery] = []
        with self._changed:
            for topic in topics:
                for entry in self._groups[(topic, group)].pending.values():
                    if (
                        len(claimed) < count
                        and entry.consumer != consumer
                        and now - entry.delivered_at >= min_idle_ms / 1000
                    ):
                        entry.consumer, entry.delivered_at = consumer, now
                        claimed.append(entry.delivery)
        return claimed

    def dead_letter(self, group: str, delivery: Delivery, error: str) -> None:
        with self._changed:
            letter = DeadLetter(delivery.topic, delivery.message_id, delivery.body, error, group)
            self._dead.setdefault(delivery.topic, []).append(letter)

    def dead_letters(self, topic: str) -> list[DeadLetter]:
        with self._changed:
            return list(self._dead.get(topic, []))

    def remove_dead_letter(self, topic: str, message_id: str) -> None:
        with self._changed:
            self._dead[topic] = [d for d in self._dead.get(topic, []) if d.message_id != message_id]

    def topics(self) -> list[str]:
        with self._changed:
            return sorted(self._streams)

    def trim(self, topic: str) -> int:
        with self._changed:
            groups = [state for (t, _group), state in self._groups.items() if t == topic]
            if not groups:
                return 0
            floor = min(min((p.index for p in g.pending.values()), default=g.next_index) for g in groups)
            dropped = floor - self._trimmed.get(topic, 0)
            del self._streams[topic][:dropped]
            self._trimmed[topic] = floor
            return dropped

    def history(self, topic: str) -> Iterator[Delivery]:
        with self._changed:
            stream = list(self._streams.get(topic, []))
        return (Delivery(topic, message_id, body) for message_id, body in stream)

    def pending_count(self, group: str, topic: str) -> int:
        with self._changed:
            state = self._groups.get((topic, group))
            return len(state.pending) if state else 0

    def status(self) -> list[StreamStatus]:
        """Each stream's length, each group's pending count and lag, and the stream's dead letters (as Redis's)."""
        with self._changed:
            return [
                StreamStatus(topic, len(stream), self._group_status(topic), len(self._dead.get(topic, [])))
                for topic, stream in sorted(self._streams.items())
            ]

    def _group_status(self, topic: str) -> list[GroupStatus]:
        end = self._trimmed.get(topic, 0) + len(self._streams[topic])
        return [
            GroupStatus(group, len(state.pending), end - state.next_index)
            for (t, group), state in sorted(self._groups.items())
            if t == topic
        ]
