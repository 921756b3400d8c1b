"""A background thread that exists only while there is work: the notifier's sender and the App Home's publisher.

`wake` asks for a round and starts the thread when none runs; the thread runs rounds while it was woken since its
last round or `pending()` says work is left, then ends. A `wake` that races with its ending starts a new one, so
no wake-up is ever lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class OnDemandThread:
    def __init__(
        self,
        name: str,
        round_: Callable[[], None],
        pending: Callable[[], bool] = lambda: False,
        stopping: threading.Event | None = None,
    ) -> None:
        self.name = name
        self.stopping = stopping or threading.Event()  # set: no round starts after the one in hand
        self._round = round_
        self._pending = pending
        self._woken = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            self._woken.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def nap(self, seconds: float) -> None:
        """Wait (within a round) until `seconds` have passed or `wake` was called."""
        self._woken.wait(seconds)

    def _run(self) -> None:
        while not self.stopping.is_set() and self._wanted():
            self._round()

    def _wanted(self) -> bool:
        with self._lock:
            if self._woken.is_set() or self._pending():
                self._woken.clear()
                return True
            self._thread = None
            return False
