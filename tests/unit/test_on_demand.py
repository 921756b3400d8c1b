"""The thread that exists only while there is work: started by a wake, ended when nothing is left, no wake lost."""

from __future__ import annotations

import threading

from bot.on_demand import OnDemandThread


def threads_named(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == name]


def test_a_wake_runs_rounds_until_nothing_is_pending_then_the_thread_ends() -> None:
    left, done = [3], threading.Event()
    rounds: list[int] = []

    def round_() -> None:
        rounds.append(left[0])
        left[0] -= 1
        if left[0] == 0:
            done.set()

    worker = OnDemandThread("test-on-demand", round_, pending=lambda: left[0] > 0)
    worker.wake()
    assert done.wait(5)
    for thread in threads_named("test-on-demand"):
        thread.join(5)
    assert rounds == [3, 2, 1] and threads_named("test-on-demand") == []


def test_a_wake_during_a_round_gets_another_round() -> None:
    first_started, release = threading.Event(), threading.Event()
    rounds: list[int] = []

    def round_() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            first_started.set()
            release.wait(5)

    worker = OnDemandThread("test-on-demand-again", round_)
    worker.wake()
    assert first_started.wait(5)
    worker.wake()  # the thread is busy: no second thread, but a second round
    assert len(threads_named("test-on-demand-again")) == 1
    release.set()
    for thread in threads_named("test-on-demand-again"):
        thread.join(5)
    assert rounds == [0, 1]


def test_once_stopping_no_round_starts() -> None:
    rounds: list[int] = []
    stop = threading.Event()
    stop.set()
    worker = OnDemandThread("test-on-demand-stopped", lambda: rounds.append(1), pending=lambda: True, stopping=stop)
    worker.wake()
    for thread in threads_named("test-on-demand-stopped"):
        thread.join(5)
    assert rounds == []
