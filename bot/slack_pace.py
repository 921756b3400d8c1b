"""Slack's published rate limits, and the pace that keeps Web API calls within them.

Slack limits each method per workspace by tier (Tier 2: 20+ a minute, Tier 3: 50+, Tier 4: 100+) and
`chat.postMessage` to about one a second per channel under a workspace-wide limit of "several hundred a
minute". A pace is a generic cell rate algorithm per key (a method, a channel): `reserve` books the
earliest moment every key of a call allows and says how long to wait for it, so callers on many threads
or processes never overrun a limit together; `hold` pushes those keys past a 429's Retry-After. The fakes
use `RateGate`, the same arithmetic without booking, to refuse what Slack would refuse.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import redis

from domains.kernel.settings import Settings

log = logging.getLogger(__name__)
POST = "chat.postMessage"
TIER_OF: Mapping[str, int] = {
    "users.list": 2,
    "conversations.open": 3,
    "chat.update": 3,
    "auth.test": 4,
    "users.info": 4,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
    "files.info": 4,
}
DEFAULT_TIER = 2  # "most methods allow at least 20 requests per minute"


@dataclass(frozen=True)
class Rate:
    """`per_minute` calls a minute, of which `burst` may go at once."""

    per_minute: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return 60.0 / self.per_minute

    @property
    def tolerance(self) -> float:
        return (self.burst - 1) * self.interval


Keys = Sequence[tuple[str, Rate]]


@dataclass(frozen=True)
class SlackLimits:
    """Slack's numbers by default; `burst` is how many calls of one key may go back to back."""

    tier_per_minute: Mapping[int, float] = field(default_factory=lambda: {2: 20.0, 3: 50.0, 4: 100.0})
    post_per_minute: float = 600.0
    post_per_channel_per_minute: float = 60.0
    burst: int = 1

    @classmethod
    def from_settings(cls, settings: Settings, burst: int | None = None) -> SlackLimits:
        return cls(
            tier_per_minute={
                2: settings.ates_slack_tier2_per_min,
                3: settings.ates_slack_tier3_per_min,
                4: settings.ates_slack_tier4_per_min,
            },
            post_per_minute=settings.ates_slack_post_per_min,
            post_per_channel_per_minute=settings.ates_slack_post_per_channel_per_min,
            burst=settings.ates_slack_burst if burst is None else burst,
        )

    def keys(self, method: str, channel: str | None) -> list[tuple[str, Rate]]:
        """The paces a call to `method` (in `channel`) must keep: the workspace's first, then the narrower channel's."""
        if method != POST:
            return [(method, Rate(self.tier_per_minute[TIER_OF.get(method, DEFAULT_TIER)], self.burst))]
        keys = [(method, Rate(self.post_per_minute, self.burst))]
        if channel:
            keys.append((f"{method}:{channel}", Rate(self.post_per_channel_per_minute, self.burst)))
        return keys


def earliest(tats: Sequence[float | None], rates: Sequence[Rate], now: float) -> float:
    """The first moment every key allows, given each key's theoretical arrival time (None: never used)."""
    return max([now, *(tat - rate.tolerance for tat, rate in zip(tats, rates, strict=True) if tat is not None)])


class Pace(Protocol):
    def reserve(self, keys: Keys) -> float:
        """Book the next slot every key allows; the seconds to wait for it."""

    def hold(self, keys: Keys, seconds: float) -> None:
        """No call on these keys before `seconds` from now (a 429's Retry-After)."""


class InMemory:
    """Each key's theoretical arrival time, in this process, on a clock the tests can control."""

    MAX_KEYS = 10_000  # one per channel posted to: past ones are forgotten beyond this

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tats: dict[str, float] = {}
        self._lock = threading.Lock()

    def _now(self) -> float:
        now = self._clock()
        if len(self._tats) > self.MAX_KEYS:
            self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        return now


class MemoryPace(InMemory):
    """The pace of one process (the embedded runtime)."""

    def reserve(self, keys: Keys) -> float:
        with self._lock:
            now = self._now()
            slot = earliest([self._tats.get(key) for key, _ in keys], [rate for _, rate in keys], now)
            for key, rate in keys:
                self._tats[key] = max(self._tats.get(key, slot), slot) + rate.interval
            return slot - now

    def hold(self, keys: Keys, seconds: float) -> None:
        with self._lock:
            until = self._now() + seconds
            for key, rate in keys:
                self._tats[key] = max(self._tats.get(key, until), until + rate.tolerance)


# Times in microseconds of Redis's own clock, so every process shares one clock as well as one pace.
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats, slot = {}, now
for i, key in ipairs(KEYS) do
  tats[i] = tonumber(redis.call('GET', key))
  if tats[i] then slot = math.max(slot, tats[i] - tonumber(ARGV[2 * i])) end
end
for i, key in ipairs(KEYS) do
  local tat = math.max(tats[i] or slot, slot) + tonumber(ARGV[2 * i - 1])
  redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return slot - now
"""
HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i, key in ipairs(KEYS) do
  local tat = math.max(tonumber(redis.call('GET', key)) or 0, now + tonumber(ARGV[1]) + tonumber(ARGV[i + 1]))
  redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return 0
"""
MICROS = 1_000_000


class RedisPace:
    """The pace every process sharing the bot token keeps (the services runtime): one script call per call.

    While Redis is away the process keeps its own pace, so Slack calls neither fail nor run unpaced with it."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._prefix = f"{prefix}slack:pace:"
        self._reserve = client.register_script(RESERVE)
        self._hold = client.register_script(HOLD)
        self._own = MemoryPace()

    def reserve(self, keys: Keys) -> float:
        args = [round(part * MICROS) for _, rate in keys for part in (rate.interval, rate.tolerance)]
        try:
            return int(self._reserve(keys=self._names(keys), args=args)) / MICROS
        except redis.RedisError:
            log.warning("Redis is away: pacing Slack calls in this process alone")
            return self._own.reserve(keys)

    def hold(self, keys: Keys, seconds: float) -> None:
        self._own.hold(keys, seconds)
        tolerances = [round(rate.tolerance * MICROS) for _, rate in keys]
        try:
            self._hold(keys=self._names(keys), args=[round(seconds * MICROS), *tolerances])
        except redis.RedisError:
            log.warning("Redis is away: a 429's Retry-After holds this process alone")

    def _names(self, keys: Keys) -> list[str]:
        return [self._prefix + key for key, _ in keys]


class RateGate(InMemory):
    """What Slack's side does (for the fakes): a call over any of its limits is refused with a Retry-After."""

    def __init__(self, limits: SlackLimits, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self.limits = limits

    def admit(self, method: str, channel: str | None) -> float:
        """0 when the call may go (and counts); else the seconds it must wait."""
        keys = self.limits.keys(method, channel)
        with self._lock:
            now = self._now()
            slot = earliest([self._tats.get(key) for key, _ in keys], [rate for _, rate in keys], now)
            if slot > now:
                return slot - now
            for key, rate in keys:
                self._tats[key] = max(self._tats.get(key, now), now) + rate.interval
            return 0.0
