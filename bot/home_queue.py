"""Whose App Home is waiting to be published, and when it may be: the latest state wins, none is lost.

A user marked is due a moment later (`delay_s`, for the rest of a burst to arrive), but never sooner than
`interval_s` after their last publish. Taking due users leases them: if the publisher dies before `done`,
the lease runs out and they are due again. A mark while a user is leased brings their due time forward
again, so a change that arrives during a publish is published after it. On the services runtime the queue
lives in Redis, so the `home` group acknowledges an event as soon as its users are marked, and what a
stopped group left pending is published when it starts again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

import redis

LEASE_S = 30.0


class HomeQueue(Protocol):
    def mark(self, users: Iterable[str]) -> None: ...

    def take(self, limit: int) -> tuple[list[str], float]:
        """Up to `limit` due users, leased, and the lease (pass it back to `done`)."""

    def done(self, user: str, lease: float) -> None:
        """Published: forget the user unless marked again since."""

    def next_due(self) -> float | None:
        """Seconds until the next user is due (0 or less: now), None when nobody is waiting."""


class MemoryHomeQueue:
    """The embedded runtime's queue (its bus is in memory too), on a clock the tests can control."""

    def __init__(self, delay_s: float, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay_s, self.interval_s, self._clock = delay_s, interval_s, clock
        self._due: dict[str, float] = {}
        self._published: dict[str, float] = {}
        self._lock = threading.Lock()

    def mark(self, users: Iterable[str]) -> None:
        with self._lock:
            now = self._clock()
            for user in users:
                due = max(now + self.delay_s, self._published.get(user, -self.interval_s) + self.interval_s)
                self._due[user] = min(self._due.get(user, due), due)

    def take(self, limit: int) -> tuple[list[str], float]:
        with self._lock:
            now = self._clock()
            self._published = {user: at for user, at in self._published.items() if at > now - self.interval_s}
            due = sorted((at, user) for user, at in self._due.items() if at <= now)[:limit]
            lease = now + LEASE_S
            for _at, user in due:
                self._due[user], self._published[user] = lease, now
            return [user for _at, user in due], lease

    def done(self, user: str, lease: float) -> None:
        with self._lock:
            if self._due.get(user) == lease:
                del self._due[user]

    def next_due(self) -> float | None:
        with self._lock:
            return min(self._due.values()) - self._clock() if self._due else None


# Milliseconds of Redis's clock, shared by every member of the group.
NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
MARK = (
    NOW
    + """
for i = 3, #ARGV do
  local due = now + tonumber(ARGV[1])
  local last = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[i]))
  if last then due = math.max(due, last + tonumber(ARGV[2])) end
  redis.call('ZADD', KEYS[1], 'LT', due, ARGV[i])
end
return 0
"""
)
TAKE = (
    NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
local users = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local lease = now + tonumber(ARGV[1])
for _, user in ipairs(users) do
  redis.call('ZADD', KEYS[1], lease, user)
  redis.call('ZADD', KEYS[2], now, user)
end
table.insert(users, 1, string.format('%.0f', lease))
return users
"""
)
DONE = """
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[2])) == tonumber(ARGV[1]) then redis.call('ZREM', KEYS[1], ARGV[2]) end
return 0
"""
NEXT = (
    NOW
    + """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
return string.format('%.0f', tonumber(first[2]) - now)
"""
)


class RedisHomeQueue:
    """The services runtime's queue: two sorted sets under the stream prefix, changed by one script a call."""

    def __init__(self, client: redis.Redis, prefix: str, delay_s: float, interval_s: float) -> None:
        self._keys = [f"{prefix}home:pending", f"{prefix}home:published"]
        self._timing = [round(delay_s * 1000), round(interval_s * 1000)]
        self._mark, self._take = client.register_script(MARK), client.register_script(TAKE)
        self._done, self._next = client.register_script(DONE), client.register_script(NEXT)

    def mark(self, users: Iterable[str]) -> None:
        self._mark(keys=self._keys, args=[*self._timing, *users])

    def take(self, limit: int) -> tuple[list[str], float]:
        lease, *users = self._take(keys=self._keys, args=[round(LEASE_S * 1000), self._timing[1], limit])
        return [str(user) for user in users], float(lease)

    def done(self, user: str, lease: float) -> None:
        self._done(keys=self._keys[:1], args=[round(lease), user])

    def next_due(self) -> float | None:
        due = self._next(keys=self._keys[:1])
        return None if due is None else float(due) / 1000
