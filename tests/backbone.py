"""Helpers for the backbone's fault tests: recorded events, task traffic, accounting's state, a private Redis."""

from __future__ import annotations

import random
import shutil
import subprocess
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import redis
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.queries import audit_check
from domains.accounting.tables import Account, AuditRecord, inbox
from domains.kernel.clock import utcnow
from domains.kernel.contracts import TaskAssigned, TaskCreatedV2
from domains.kernel.events import Event, make_event, parse_event
from domains.kernel.redis_bus import GroupStatus, RedisBus
from tests.e2e.harness import eventually, free_port
from tests.fixtures import FIXTURES


def recorded_day() -> list[Event]:
    """A day of the tasks domain's events, in the order they were written (see tests/fixtures/README.md)."""
    lines = (FIXTURES / "day_of_task_events.jsonl").read_text().splitlines()
    return [parse_event(line) for line in lines]


def task_traffic(tasks: int, workers: list[str], seed: int = 1) -> list[Event]:
    """For each new task a TaskCreated and a TaskAssigned to one of `workers` (as the tasks domain emits them)."""
    rng = random.Random(seed)
    events = []
    for n in range(tasks):
        task_id = uuid.UUID(int=rng.getrandbits(128))
        created = TaskCreatedV2(
            task_id=task_id, title=f"Task {n}", jira_id=None, description="", author_id="UA", created_at=utcnow()
        )
        assigned = TaskAssigned(task_id=task_id, assignee_id=rng.choice(workers), previous_assignee_id=None)
        events += [make_event("tasks", created), make_event("tasks", assigned)]
    return events


@dataclass(frozen=True)
class Ledger:
    """Accounting's end state, comparable across runs."""

    balances: dict[str, int]
    records: Counter[tuple[str, str, str | None, int]]  # (user, kind, task, amount)


def ledger(sessions: sessionmaker[Session]) -> Ledger:
    with sessions() as session:
        balances = {a.user_id: a.balance_cents for a in session.scalars(select(Account))}
        records = Counter((r.user_id, r.kind, r.task_id, r.amount_cents) for r in session.scalars(select(AuditRecord)))
    return Ledger(balances, records)


def applied_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.execute(select(func.count()).select_from(inbox)).scalar_one())


def assert_applied_exactly_once(sessions: sessionmaker[Session], events: list[Event]) -> None:
    """Every event applied, each charge once, and every balance equal to the sum of its records."""
    assert audit_check(sessions) == []
    charges = [e for e in events if e.event_name == "TaskAssigned"]
    with sessions() as session:
        applied = set(session.scalars(select(inbox.c.event_id)))
        charged = list(session.scalars(select(AuditRecord.event_id)))
    assert applied == {str(e.event_id) for e in events}
    assert sorted(charged) == sorted(str(e.event_id) for e in charges)  # no event charged twice


def reset_accounting(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        session.execute(
            text(
                "TRUNCATE accounting_accounts, accounting_tasks, accounting_audit_records, "
                "accounting_inbox, accounting_outbox"
            )
        )
        session.commit()


def bodies(events: list[Event]) -> list[tuple[str, str]]:
    """The (topic, body) pairs a relay would publish for these events."""
    return [(e.topic, e.to_json()) for e in events]


class PrivateRedis:
    """A redis-server of the test's own on a free port (never the shared one), so it may be restarted.

    It writes every command to its append-only file before answering (appendfsync always), as a
    production Redis carrying money must, so a restart keeps every acknowledged entry.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server") or "redis-server"
        argv = [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.folder)]
        argv += ["--appendonly", "yes", "--appendfsync", "always"]
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=log)
        client = redis.Redis(port=self.port)
        eventually(lambda: _answers(client), bool, timeout=10)
        client.close()

    def kill(self) -> None:
        """Stop it the hard way (SIGKILL): no chance to save anything it had not already written."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def group_status(bus: RedisBus, topic: str, group: str) -> GroupStatus:
    """The group's pending count and lag on one stream, as `ates status` shows them."""
    [stream] = [s for s in bus.status() if s.topic == topic]
    [found] = [g for g in stream.groups if g.name == group]
    return found
