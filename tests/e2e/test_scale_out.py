"""Scale-out, run: two gateways, two members of every consumer group and two relays on one PostgreSQL and one
Redis; one process of each kind is killed (SIGKILL) while a journey runs, and every effect still happens once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import DISTRIBUTED_PROCESSES, ROOT, SIGNING_SECRET, System, base_env, eventually
from tests.fakes.slack_api import Call, FakeSlack
from tests.fakes.slack_requests import SlackSender
from tests.integration.slack_app import blocks_of, buttons

TASKS = 4


def rows(sessions: sessionmaker[Session], sql: str) -> list[tuple[object, ...]]:
    with sessions() as session:
        return [tuple(row) for row in session.execute(text(sql))]


def done_button(call: Call) -> str | None:
    found = buttons(blocks_of(call), "task_done")
    return str(found[0]["value"]) if found else None


def assignment_dms(slack: FakeSlack) -> Counter[str]:
    """How many DMs showed each task's Done button."""
    return Counter(v for v in map(done_button, slack.calls_to("chat.postMessage")) if v)


def correlations(sessions: sessionmaker[Session], outbox: str) -> dict[str, set[str]]:
    """Each event name in an outbox and the correlation ids its events carry."""
    found: dict[str, set[str]] = {}
    for (body,) in rows(sessions, f"SELECT body FROM {outbox}"):
        event = json.loads(str(body))
        found.setdefault(event["event_name"], set()).add(event["correlation_id"])
    return found


@pytest.fixture
def cluster(
    slack: FakeSlack, tmp_path: Path, pg_url: str, redis_url: str, stream_prefix: str
) -> Iterator[tuple[list[System], dict[str, list[subprocess.Popen[bytes]]]]]:
    env = base_env(
        slack.api_url,
        DATABASE_URL=pg_url,
        REDIS_URL=redis_url,
        ATES_STREAM_PREFIX=stream_prefix,
        ATES_RECLAIM_IDLE_MS="1000",  # a killed member's pending messages are taken over within a second or two
        ATES_RETRY_BACKOFF_MS="50",
        ATES_LOG_FORMAT="json",
        ATES_BACKGROUND_NICE="0",  # on a test machine shared with other runs, niced processes can starve
    )
    gateways = []
    for n in (1, 2):
        (tmp_path / f"gateway-{n}").mkdir()
        gateways.append(System(dict(env), tmp_path / f"gateway-{n}"))
    members: dict[str, list[subprocess.Popen[bytes]]] = {}
    try:
        for gateway in gateways:
            gateway.start(distributed=False)  # the gateway alone: DATABASE_URL and REDIS_URL make it distributed
        for argv in DISTRIBUTED_PROCESSES:
            kind = argv[-1].replace(".", "-")
            members[kind] = [gateways[0].spawn(argv, f"{kind}-{n}") for n in (1, 2)]
        yield gateways, members
    finally:
        for gateway in gateways:
            gateway.stop()


def test_two_of_everything_one_of_each_killed_and_every_effect_happens_once(
    cluster: tuple[list[System], dict[str, list[subprocess.Popen[bytes]]]],
    slack: FakeSlack,
    pg_url: str,
    stream_prefix: str,
) -> None:
    gateways, members = cluster
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    senders = [SlackSender(gateway.url, SIGNING_SECRET) for gateway in gateways]
    try:
        workers = "SELECT count(*) FROM tasks_members WHERE role = 'worker'"
        eventually(lambda: rows(sessions, workers)[0][0], lambda n: n == 2, timeout=300)
        for n in range(TASKS):
            reply = senders[n % 2].command("UADMIN", "/task", f"new Task {n}", slack.response_url(f"new-{n}"))
            assert reply.status == 200
        for process in [gateways[0].processes[0]] + [both[0] for both in members.values()]:
            process.send_signal(signal.SIGKILL)  # mid-journey: requests queued, events in flight
        dms = eventually(lambda: assignment_dms(slack), lambda found: len(found) == TASKS, timeout=180)
        for n, task_id in enumerate(sorted(dms)):
            message = {"ts": f"9.{n}", "text": ""}
            senders[1].click("U1", "task_done", task_id, slack.response_url(f"done-{n}"), message=message)
            senders[1].click("U2", "task_done", task_id, slack.response_url(f"done-{n}"), message=message)
        eventually(lambda: len(slack.calls_to("chat.update")), lambda n: n >= TASKS, timeout=180)
        records = "SELECT task_id, kind FROM accounting_audit_records"
        eventually(lambda: len(rows(sessions, records)), lambda n: n >= 2 * TASKS, timeout=120)

        assert rows(sessions, "SELECT count(*), count(*) FILTER (WHERE status = 'done') FROM tasks_tasks") == [
            (TASKS, TASKS)
        ]
        assert assignment_dms(slack) == Counter(dict.fromkeys(dms, 1))  # one DM per task, none twice
        assert len(slack.calls_to("chat.update")) == TASKS  # each task shown done once
        money = Counter(rows(sessions, records))
        assert len(money) == 2 * TASKS and set(money.values()) == {1}  # a fee and a reward per task, once each
        assert {kind for _, kind in money} == {"withdraw", "deposit"}
        audit = subprocess.run(
            [sys.executable, "-m", "jobs.cli", "audit-check"], cwd=ROOT, env=gateways[1].env, capture_output=True
        )
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert_one_correlation_per_request(sessions, gateways)
    finally:
        engine.dispose()


def assert_one_correlation_per_request(sessions: sessionmaker[Session], gateways: list[System]) -> None:
    """Each `/task new` started a correlation (logged by the gateway that queued it, one JSON object per line);
    its task's events and the money they moved carry it."""
    queued = set()
    for gateway in gateways:
        for line in gateway.log("web").splitlines():
            entry = json.loads(line) if line.startswith("{") else {}
            if entry.get("message") == "queued CreateTask":
                queued.add(entry["correlation_id"])
    assert len(queued) == TASKS
    tasks = correlations(sessions, "tasks_outbox")
    assert tasks["TaskCreated"] == tasks["TaskAssigned"] == queued
    accounting = correlations(sessions, "accounting_outbox")
    assert queued <= accounting["UserWithdrawn"]  # the fees; the rewards carry the Done clicks' own correlations
    assert None not in accounting["UserBalanceIncreased"]
    told = {
        entry["correlation_id"]
        for entry in json_lines(gateways[0], "notifier")
        if "message assigned:" in entry["message"]
    }
    assert told == queued  # each assignment DM's log line names the request that caused it


def json_lines(gateway: System, kind: str) -> list[dict[str, str]]:
    """The JSON log lines of every process of one kind started beside this gateway (killed ones included)."""
    lines = [line for path in sorted(gateway.logs.glob(f"{kind}-*.log")) for line in path.read_text().splitlines()]
    return [json.loads(line) for line in lines if line.startswith("{")]
