"""`ates status` shows the outboxes' backlog; `ates status --wait` returns once everything has caught up."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import insert

from domains.kernel.clock import utcnow
from domains.kernel.contracts import TASKS
from domains.kernel.relay import relay_once
from domains.tasks.tables import outbox as tasks_outbox
from jobs.cli import main as ates
from jobs.runtime import Runtime
from tests.backbone import bodies, task_traffic


def write_to_the_outbox(runtime: Runtime, count: int) -> None:
    """Events the tasks domain committed, as its handlers leave them for the relay."""
    rows = [
        {"event_id": f"e{n}", "topic": topic, "body": body, "created_at": utcnow()}
        for n, (topic, body) in enumerate(bodies(task_traffic(count, ["U1"])[0::2]))
    ]
    with runtime.engine.begin() as connection:
        connection.execute(insert(tasks_outbox), rows)


def test_ates_status_shows_each_outboxs_waiting_rows(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    write_to_the_outbox(runtime, 2)

    assert ates(["status"]) == 0

    out = capsys.readouterr().out
    assert re.search(r"^tasks_outbox\s+2\s+[\d.]+ s$", out, re.M)
    for empty in ("identity_outbox", "accounting_outbox", "analytics_outbox"):
        assert re.search(rf"^{empty}\s+0\s+-$", out, re.M)


def test_wait_says_what_is_behind_until_every_outbox_is_published_and_every_group_is_done(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    def wait_now() -> tuple[int, str]:
        code = ates(["status", "--wait", "--timeout", "0"])
        captured = capsys.readouterr()
        return code, captured.err + captured.out

    runtime.bus.ensure_group("g", [TASKS])
    write_to_the_outbox(runtime, 1)
    assert wait_now() == (1, "status: not caught up after 0 s:\n  outbox tasks_outbox: 1 waiting\n")
    relay_once(runtime.engine, tasks_outbox, runtime.bus)
    assert wait_now() == (1, f"status: not caught up after 0 s:\n  group g on {TASKS}: 0 pending, lag 1\n")
    taken = runtime.bus.read("g", "c1", [TASKS], 10, 0, False)
    assert wait_now() == (1, f"status: not caught up after 0 s:\n  group g on {TASKS}: 1 pending, lag 0\n")
    runtime.bus.ack("g", taken)
    assert wait_now() == (0, "status: caught up (every outbox published, nothing pending or undelivered)\n")


def test_wait_waits_for_the_catch_up_and_gives_up_at_the_timeout(runtime: Runtime) -> None:
    runtime.bus.ensure_group("g", [TASKS])
    write_to_the_outbox(runtime, 3)
    started = time.monotonic()
    assert ates(["status", "--wait", "--timeout", "0.5"]) == 1
    assert time.monotonic() - started >= 0.5

    codes: list[int] = []
    waiter = threading.Thread(target=lambda: codes.append(ates(["status", "--wait", "--timeout", "60"])))
    waiter.start()
    time.sleep(0.5)
    assert waiter.is_alive()  # three rows still wait in the outbox
    relay_once(runtime.engine, tasks_outbox, runtime.bus)
    runtime.bus.ack("g", runtime.bus.read("g", "c1", [TASKS], 10, 0, False))
    waiter.join(timeout=30)
    assert codes == [0]
