"""A shuffle of more open tasks than one chunk, on PostgreSQL and on the embedded SQLite: each moves once."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.contracts import UserCreated
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import make_event
from domains.tasks import consumers as tasks_consumers
from domains.tasks import handlers as tasks
from domains.tasks.commands import CompleteTask, CreateTask, ShuffleTasks
from domains.tasks.model import NoWorkers
from domains.tasks.tables import outbox
from jobs.migrations import upgrade

WORKERS = ["U1", "U2", "U3", "U4"]


@pytest.fixture(params=["postgresql", "sqlite"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    else:
        url = f"sqlite:///{tmp_path / 'ates.sqlite3'}"
        upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "SHUFFLE_CHUNK", 7)


def hire(sessions: sessionmaker[Session], users: list[str], role: str = "worker") -> None:
    members = tasks_consumers.subscription(sessions)
    for user in users:
        payload = UserCreated(user_id=user, name=user, email=None, avatar_url=None, role=role)  # type: ignore[arg-type]
        members.apply(make_event("identity", payload))


def holders(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(text("SELECT task_id, status, assignee_id FROM tasks_tasks"))
        return {task_id: (status, assignee) for task_id, status, assignee in rows}


def assigned_events(sessions: sessionmaker[Session]) -> list[dict[str, str]]:
    with sessions() as session:
        bodies = session.scalars(select(outbox.c.body).order_by(outbox.c.id))
        return [json.loads(body)["data"] for body in bodies if '"TaskAssigned"' in body]


def test_every_open_task_moves_once_and_done_ones_stay(sessions: sessionmaker[Session]) -> None:
    hire(sessions, WORKERS)
    rng = random.Random(3)
    created = [
        tasks.create_task(tasks.unit_of_work(sessions), CreateTask(author_id="U1", title=f"T{n}", jira_id=None), rng)
        for n in range(30)
    ]
    for task in created[:4]:
        tasks.complete_task(tasks.unit_of_work(sessions), CompleteTask(task_id=task.task_id, user_id=task.assignee_id))
    before = holders(sessions)
    announced = len(assigned_events(sessions))

    moved = tasks.shuffle_tasks(tasks.unit_of_work(sessions), ShuffleTasks(), rng)

    after = holders(sessions)
    shuffle_events = assigned_events(sessions)[announced:]
    assert moved == 26 == len(shuffle_events)
    assert Counter(e["task_id"] for e in shuffle_events) == {str(t.task_id): 1 for t in created[4:]}
    for event in shuffle_events:
        assert event["previous_assignee_id"] == before[event["task_id"]][1]
        assert event["assignee_id"] == after[event["task_id"]][1] and event["assignee_id"] in WORKERS
    done = [str(task.task_id) for task in created[:4]]
    assert [after[task_id] for task_id in done] == [before[task_id] for task_id in done]
    assert len({assignee for _, assignee in after.values()}) > 1


def test_without_workers_the_shuffle_is_refused_and_nothing_moves(sessions: sessionmaker[Session]) -> None:
    hire(sessions, ["U1"])
    tasks.create_task(
        tasks.unit_of_work(sessions), CreateTask(author_id="U1", title="Alone", jira_id=None), random.Random(1)
    )
    hire(sessions, ["U1"], role="manager")  # the only worker becomes a manager: no one left to assign to
    before = holders(sessions)
    with pytest.raises(NoWorkers):
        tasks.shuffle_tasks(tasks.unit_of_work(sessions), ShuffleTasks(), random.Random(2))
    assert holders(sessions) == before and len(assigned_events(sessions)) == 1
