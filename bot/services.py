"""What the listeners need from the rest of the system, handed in once at start."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.actors import ActorCache
from domains.kernel.bus import StreamBus
from domains.kernel.clock import cycle_of, utcnow
from domains.kernel.commands import CommandBus
from domains.kernel.once import MemoryOnce, OnceGuard
from domains.kernel.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    bus: StreamBus  # where acknowledged requests go to be carried out by the `requests` group
    commands: CommandBus = field(default_factory=CommandBus)  # every command's handler (jobs.runtime builds it)
    rng: random.Random = field(default_factory=random.SystemRandom)
    once: OnceGuard = field(default_factory=MemoryOnce)  # what was already done: Slack's repeated events
    actors: ActorCache = field(default_factory=ActorCache)  # who asked in the last few seconds
    clock: Callable[[], datetime] = utcnow  # tests set the time

    def __deepcopy__(self, memo: dict[int, object]) -> Services:
        """Shared, never copied: Bolt deep-copies a request's context for its lazy listeners."""
        return self

    def today(self) -> date:
        """The current billing cycle, in the company's time zone."""
        return cycle_of(self.clock(), self.settings.timezone)
