"""The bus: durable streams with consumer groups. Redis Streams in production, memory when embedded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Delivery:
    """One message handed to a consumer group, pending until acknowledged."""

    topic: str
    message_id: str
    body: str


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    message_id: str
    body: str
    error: str
    group: str


@dataclass(frozen=True)
class GroupStatus:
    name: str
    pending: int
    lag: int | None  # entries not yet delivered to the group (None when Redis cannot tell)


@dataclass(frozen=True)
class StreamStatus:
    topic: str
    length: int
    groups: list[GroupStatus]
    dead_letters: int


class StreamBus(Protocol):
    def publish(self, messages: list[tuple[str, str]]) -> None:
        """Append (topic, body) messages, in order."""

    def ensure_group(self, group: str, topics: list[str]) -> None:
        """Create the group on each topic, starting from the first message, if it is not there."""

    def read(
        self, group: str, consumer: str, topics: list[str], count: int, block_ms: int, backlog: bool
    ) -> list[Delivery]:
        """New messages for the group, or (backlog) those this consumer has pending."""

    def ack(self, group: str, deliveries: list[Delivery]) -> None: ...

    def reclaim(self, group: str, consumer: str, topics: list[str], min_idle_ms: int, count: int) -> list[Delivery]:
        """Take over messages another consumer of the group left pending for too long."""

    def dead_letter(self, group: str, delivery: Delivery, error: str) -> None:
        """Move a message that cannot be applied to `<topic>.dlq`, with the error."""

    def dead_letters(self, topic: str) -> list[DeadLetter]: ...

    def remove_dead_letter(self, topic: str, message_id: str) -> None: ...

    def topics(self) -> list[str]: ...

    def trim(self, topic: str) -> int:
        """Drop the entries every group of the topic has acknowledged (none without a group); how many went."""

    def history(self, topic: str) -> Iterator[Delivery]:
        """Every message still on the topic's stream, oldest first, outside any group (for replays)."""

    def status(self) -> list[StreamStatus]:
        """Each stream's length, each group's pending count and lag, and the stream's dead letters."""
