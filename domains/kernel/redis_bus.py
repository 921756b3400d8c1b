"""The bus on Redis Streams: a stream per topic, a consumer group per consuming domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import redis

from domains.kernel.bus import DeadLetter, Delivery

DLQ_SUFFIX = ".dlq"


class RedisBus:
    def __init__(self, client: redis.Redis, prefix: str = "ates:") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "ates:") -> RedisBus:
        return cls(redis.Redis.from_url(url, decode_responses=True, health_check_interval=10), prefix)

    def key(self, topic: str) -> str:
        return self.prefix + topic

    def publish(self, messages: list[tuple[str, str]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for topic, body in messages:
            pipe.xadd(self.key(topic), {"event": body})
        pipe.execute()

    def ensure_group(self, group: str, topics: list[str]) -> None:
        for topic in topics:
            try:
                self.client.xgroup_create(self.key(topic), group, id="0", mkstream=True)
            except redis.ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    def read(
        self, group: str, consumer: str, topics: list[str], count: int, block_ms: int, backlog: bool
    ) -> list[Delivery]:
        start = "0" if backlog else ">"
        streams: dict[Any, Any] = {self.key(t): start for t in topics}
        reply = self.client.xreadgroup(group, consumer, streams, count=count, block=None if backlog else block_ms)
        return self._deliveries(reply)

    def _deliveries(self, reply: Any) -> list[Delivery]:
        found = []
        for key, entries in reply or []:
            topic = key.removeprefix(self.prefix)
            for message_id, fields in entries:
                if fields:  # an entry trimmed while pending comes back with no fields
                    found.append(Delivery(topic, message_id, fields["event"]))
        return found

    def ack(self, group: str, deliveries: list[Delivery]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for delivery in deliveries:
            pipe.xack(self.key(delivery.topic), group, delivery.message_id)
        pipe.execute()

    def reclaim(self, group: str, consumer: str, topics: list[str], min_idle_ms: int, count: int) -> list[Delivery]:
        claimed: list[Delivery] = []
        for topic in topics:
            reply = cast(
                list[Any], self.client.xautoclaim(self.key(topic), group, consumer, min_idle_ms, "0-0", count=count)
            )
            claimed.extend(self._deliveries([(self.key(topic), reply[1])]))
        return claimed

    def dead_letter(self, group: str, delivery: Delivery, error: str) -> None:
        self.client.xadd(
            self.key(delivery.topic) + DLQ_SUFFIX,
            {"event": delivery.body, "error": error[:2000], "group": group, "message_id": delivery.message_id},
        )

    def dead_letters(self, topic: str) -> list[DeadLetter]:
        return [
            DeadLetter(topic, message_id, fields["event"], fields["error"], fields["group"])
            for message_id, fields in cast(list[Any], self.client.xrange(self.key(topic) + DLQ_SUFFIX))
        ]

    def remove_dead_letter(self, topic: str, message_id: str) -> None:
        self.client.xdel(self.key(topic) + DLQ_SUFFIX, message_id)

    def topics(self) -> list[str]:
        keys = self.client.scan_iter(match=self.prefix + "*", _type="stream")
        return sorted(k.removeprefix(self.prefix) for k in keys if not k.endswith(DLQ_SUFFIX))

    def history(self, topic: str, page: int = 1000) -> Iterator[Delivery]:
        start = "-"
        while True:
            entries = cast(list[Any], self.client.xrange(self.key(topic), min=start, max="+", count=page))
            yield from self._deliveries([(self.key(topic), entries)])
            if len(entries) < page:
                return
            start = "(" + entries[-1][0]  # exclusive: after the last one read
