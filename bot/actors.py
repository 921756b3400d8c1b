"""Who asked recently, kept a few seconds so an acknowledgement need not wait for the database each time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from domains.identity.model import UserView

ACTOR_TTL_S = 3.0  # a role changed by another gateway process counts within this long; in this one at once


class ActorCache:
    """Users by Slack id, each forgotten `ttl_s` after it was read, or at once when this process changes it."""

    def __init__(self, ttl_s: float = ACTOR_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._users: dict[str, tuple[float, UserView]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str) -> UserView | None:
        with self._lock:
            kept = self._users.get(user_id)
            if kept is None:
                return None
            if self._clock() >= kept[0]:
                del self._users[user_id]
                return None
            return kept[1]

    def put(self, user: UserView) -> None:
        with self._lock:
            now = self._clock()
            if len(self._users) > 10_000:  # bounded: drop whatever has expired
                self._users = {key: kept for key, kept in self._users.items() if kept[0] > now}
            self._users[user.slack_id] = (now + self._ttl_s, user)

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._users.pop(user_id, None)
