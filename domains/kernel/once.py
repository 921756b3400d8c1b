"""Remembering, for a while, what was already done: Slack's repeated deliveries of an event."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis


class OnceGuard(Protocol):
    def seen(self, key: str) -> bool: ...

    def first(self, key: str) -> bool:
        """Remember the key; False if it was already remembered."""

    def forget(self, key: str) -> None:
        """Not done after all (it failed): the next time is a first time again."""


class MemoryOnce:
    def __init__(self, ttl_s: int = 24 * 3600) -> None:
        self.ttl_s = ttl_s
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def seen(self, key: str) -> bool:
        with self._lock:
            return self._until.get(key, 0.0) > time.monotonic()

    def first(self, key: str) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._until.get(key, 0.0) > now:
                return False
            if len(self._until) > 100_000:
                self._until = {k: t for k, t in self._until.items() if t > now}
            self._until[key] = now + self.ttl_s
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._until.pop(key, None)


class RedisOnce:
    def __init__(self, client: redis.Redis, prefix: str, ttl_s: int = 24 * 3600) -> None:
        self.client = client
        self.prefix = prefix + "once:"
        self.ttl_s = ttl_s

    def seen(self, key: str) -> bool:
        return bool(self.client.exists(self.prefix + key))

    def first(self, key: str) -> bool:
        return bool(self.client.set(self.prefix + key, 1, ex=self.ttl_s, nx=True))

    def forget(self, key: str) -> None:
        self.client.delete(self.prefix + key)
