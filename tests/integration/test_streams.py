"""Streams are trimmed only past what every group acknowledged, gaps are loud, and operators can see it all."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from slack_sdk import WebClient

from domains.kernel.contracts import TASK_LIFECYCLE, TASKS
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.redis_bus import GroupStatus, RedisBus
from jobs.cli import main as ates
from jobs.runtime import Runtime
from tests.backbone import applied_count, bodies, group_status, task_traffic
from tests.e2e.harness import ROOT, eventually


def redis_bus(runtime: Runtime) -> RedisBus:
    assert isinstance(runtime.bus, RedisBus)
    return runtime.bus


def test_a_stopped_group_with_a_backlog_loses_nothing_to_trimming(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    bus = redis_bus(runtime)
    events = task_traffic(30, ["U1", "U2"])  # 30 on `tasks`, 30 on `task-lifecycle`
    runtime.ensure_groups()  # every group exists; only accounting runs, the others are stopped
    bus.publish(bodies(events))
    accounting = runtime.consumer("accounting", WebClient())
    eventually(lambda: accounting.poll(block_ms=50) >= 0 and applied_count(runtime.sessions) == 60, bool)
    on_tasks = {g.name for s in bus.status() if s.topic == TASKS for g in s.groups}

    assert ates(["trim"]) == 0
    trimmed = 30 if on_tasks == {"accounting"} else 0  # `tasks` goes only if accounting is its one group
    assert f"removed {trimmed} acknowledged entries" in capsys.readouterr().out
    assert bus.client.xlen(bus.key(TASK_LIFECYCLE)) == 30  # the stopped notifier has read none of it

    for stream in bus.status():  # now every group but the notifier catches up on task-lifecycle
        for group in stream.groups:
            if stream.topic == TASK_LIFECYCLE and group.name not in ("notifier", "accounting"):
                bus.ack(group.name, bus.read(group.name, "x", [TASK_LIFECYCLE], 100, 0, False))
    lifecycle_ids = [d.message_id for d in bus.tail({TASK_LIFECYCLE: "0"}, block_ms=0)]
    first = bus.read("notifier", "n1", [TASK_LIFECYCLE], 10, 0, False)
    bus.ack("notifier", first[:4])  # four done, six still pending
    assert bus.trim(TASK_LIFECYCLE) == 4
    assert bus.trim(TASK_LIFECYCLE) == 0

    pending = bus.read("notifier", "n1", [TASK_LIFECYCLE], 100, 0, True)
    rest = bus.read("notifier", "n1", [TASK_LIFECYCLE], 100, 0, False)
    assert [d.message_id for d in pending + rest] == lifecycle_ids[4:]
    bus.ack("notifier", pending + rest)
    assert bus.trim(TASK_LIFECYCLE) == 26
    assert bus.dead_letters(TASK_LIFECYCLE) == []


def test_entries_trimmed_by_someone_else_while_pending_are_reported_not_dropped_silently(runtime: Runtime) -> None:
    bus = redis_bus(runtime)
    bus.ensure_group("g", [TASKS])
    bus.publish(bodies(task_traffic(3, ["U1"]))[0::2])
    taken = bus.read("g", "c1", [TASKS], 10, 0, False)
    bus.client.xtrim(bus.key(TASKS), maxlen=0)  # what MAXLEN trimming does to a backlog
    assert bus.read("g", "c1", [TASKS], 10, 0, True) == []
    assert bus.reclaim("g", "c2", [TASKS], 0, 10) == []
    lost = bus.dead_letters(TASKS)
    assert len(lost) == len(taken) == 3
    assert all(d.error.startswith("LOST: trimmed") and d.group == "g" for d in lost)
    assert group_status(bus, TASKS, "g") == GroupStatus("g", 0, 0)


def test_reclaim_reports_entries_trimmed_while_pending(runtime: Runtime) -> None:
    bus = redis_bus(runtime)
    bus.ensure_group("g", [TASKS])
    bus.publish(bodies(task_traffic(2, ["U1"]))[0::2])
    bus.read("g", "dead", [TASKS], 10, 0, False)
    bus.client.xtrim(bus.key(TASKS), maxlen=0)
    assert bus.reclaim("g", "c2", [TASKS], 0, 10) == []
    assert len(bus.dead_letters(TASKS)) == 2


def test_ates_status_shows_lengths_pending_lag_and_dead_letters(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    bus = redis_bus(runtime)
    runtime.ensure_groups()
    bus.publish(bodies(task_traffic(5, ["U1"])))
    taken = bus.read("accounting", "a1", [TASK_LIFECYCLE], 3, 0, False)
    bus.dead_letter("accounting", taken[0], "boom")
    assert ates(["status"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^task-lifecycle\s+5\s+1$", out, re.M)
    assert re.search(r"^tasks\s+5\s+0$", out, re.M)
    assert re.search(r"^  group accounting\s+pending\s+3\s+lag\s+2$", out, re.M)
    assert re.search(r"^  group notifier\s+pending\s+0\s+lag\s+5$", out, re.M)


def test_ates_events_tail_prints_events_as_they_pass(runtime: Runtime) -> None:
    bus = redis_bus(runtime)
    tail = subprocess.Popen(
        [sys.executable, "-m", "jobs.cli", "events", "tail", "--stream", TASKS, "--count", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    events = task_traffic(40, ["U1"])[0::2]
    published = []
    for event in events:  # it shows what comes after it started: keep publishing until it has seen two
        if tail.poll() is not None:
            break
        bus.publish(bodies([event]))
        published.append(event)
        time.sleep(0.1)
    out, _ = tail.communicate(timeout=30)
    assert tail.returncode == 0
    lines = out.splitlines()
    assert len(lines) == 2
    shown = [str(e.event_id) for e in published]
    for line in lines:
        topic, _message_id, name, version, event_id, _data = line.split(" ", 5)
        assert (topic, name, version) == (TASKS, "TaskCreated", "v2")
        assert event_id in shown


def test_the_memory_bus_trims_only_what_every_group_acknowledged() -> None:
    bus = MemoryBus()
    bus.ensure_group("a", ["t"])
    bus.ensure_group("b", ["t"])
    bus.publish([("t", str(n)) for n in range(5)])
    bus.ack("a", bus.read("a", "a1", ["t"], 5, 0, False))
    b_taken = bus.read("b", "b1", ["t"], 3, 0, False)
    bus.ack("b", b_taken[:1])
    assert bus.trim("t") == 1
    assert bus.trim("t") == 0
    bus.ack("b", b_taken[1:])
    assert [d.body for d in bus.read("b", "b1", ["t"], 5, 0, False)] == ["3", "4"]
    assert bus.trim("t") == 2
    bus.publish([("t", "5")])
    assert [d.body for d in bus.read("a", "a1", ["t"], 5, 0, False)] == ["5"]
    assert [d.body for d in bus.read("b", "b1", ["t"], 5, 0, True)] == ["3", "4"]
    assert bus.trim("t") == 0  # b still has 3 and 4 pending


def test_dlq_commands_refuse_an_unknown_id_and_change_nothing(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    bus = redis_bus(runtime)
    bus.ensure_group("accounting", [TASKS])
    bus.publish([(TASKS, "not json")])
    [taken] = bus.read("accounting", "a1", [TASKS], 10, 0, False)
    bus.dead_letter("accounting", taken, "InvalidEvent: not an event envelope")
    assert ates(["dlq", "drop", "--id", "1-1"]) == 1
    assert ates(["dlq", "replay", "--id", "1-1"]) == 1
    assert capsys.readouterr().err.count("0 dead letters have id 1-1") == 2
    assert [d.body for d in bus.dead_letters(TASKS)] == ["not json"]
    with pytest.raises(SystemExit) as refused:
        ates(["dlq", "drop"])
    assert refused.value.code == 2
    assert "--id" in capsys.readouterr().err


def test_bus_commands_on_the_embedded_runtime_say_what_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATES_DATA_DIR", str(tmp_path))
    assert ates(["status"]) == 2
    assert "set DATABASE_URL and REDIS_URL" in capsys.readouterr().err
