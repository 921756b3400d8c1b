"""Tasks' command handlers against an in-memory unit of work: SQLite in memory with tasks' own tables, no services."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.commands import CarriedOutBefore
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks import handlers as tasks
from domains.tasks.commands import CompleteTask, CreateTask, DeleteTask, EditTask, ShuffleTasks
from domains.tasks.model import DuplicateJiraId, NotAllowed, NotAssignee, NoWorkers, TaskClosed, TaskView
from domains.tasks.tables import Member, Task, metadata, outbox
from tests.fakes.clock import FakeClock
from tests.in_memory import in_memory_sessions


@pytest.fixture
def sessions() -> sessionmaker[Session]:
    return in_memory_sessions(metadata)


def uow(sessions: sessionmaker[Session]) -> UnitOfWork:
    return tasks.unit_of_work(sessions)


def hire(sessions: sessionmaker[Session], *user_ids: str, role: str = "worker") -> None:
    with sessions() as session:
        for user_id in user_ids:
            session.merge(Member(user_id=user_id, role=role, is_active=True))
        session.commit()


def emitted(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as session:
        return [json.loads(body) for body in session.scalars(select(outbox.c.body).order_by(outbox.c.id))]


def names(sessions: sessionmaker[Session]) -> list[str]:
    return [event["event_name"] for event in emitted(sessions)]


def task_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(session.scalars(select(Task.task_id)).all())


def create(sessions: sessionmaker[Session], title: str = "Fix the beak", **fields: Any) -> TaskView:
    return tasks.create_task(uow(sessions), CreateTask(author_id="UA", title=title, **fields), random.Random(1))


def test_a_task_goes_to_a_worker_and_its_events_carry_the_requests_correlation(
    sessions: sessionmaker[Session],
) -> None:
    hire(sessions, "U1")
    hire(sessions, "UM", role="manager")
    correlation = uuid.uuid4()
    task = create(sessions, "  Fix   the beak ", jira_id="up-42", correlation_id=correlation)
    assert (task.title, task.jira_id, task.assignee_id, task.status) == ("Fix the beak", "UP-42", "U1", "open")
    assert names(sessions) == ["TaskCreated", "TaskAssigned"]
    assert {event["correlation_id"] for event in emitted(sessions)} == {str(correlation)}


def test_one_request_makes_one_task_however_often_it_is_carried_out(sessions: sessionmaker[Session]) -> None:
    hire(sessions, "U1")
    request_id = uuid.uuid4()
    create(sessions, request_id=request_id)
    with pytest.raises(CarriedOutBefore):
        create(sessions, request_id=request_id)
    create(sessions)  # no request id: given directly, carried out each time
    assert task_count(sessions) == 2


def test_a_refused_request_is_not_recorded_so_it_can_be_carried_out_later(sessions: sessionmaker[Session]) -> None:
    request_id = uuid.uuid4()
    with pytest.raises(NoWorkers):
        create(sessions, request_id=request_id)
    hire(sessions, "U1")
    assert create(sessions, request_id=request_id).assignee_id == "U1"


def test_a_jira_id_names_one_open_task_and_done_frees_it(sessions: sessionmaker[Session]) -> None:
    hire(sessions, "U1")
    first = create(sessions, jira_id="UP-1")
    with pytest.raises(DuplicateJiraId, match=str(first.task_id)[:8]):
        create(sessions, "Again", jira_id="up-1")
    tasks.complete_task(uow(sessions), CompleteTask(task_id=first.task_id, user_id="U1"))
    assert create(sessions, "Again", jira_id="UP-1").jira_id == "UP-1"


def test_only_the_assignee_completes_and_only_once(sessions: sessionmaker[Session]) -> None:
    hire(sessions, "U1")
    task = create(sessions)
    with pytest.raises(NotAssignee):
        tasks.complete_task(uow(sessions), CompleteTask(task_id=task.task_id, user_id="UA"))
    done = tasks.complete_task(uow(sessions), CompleteTask(task_id=task.task_id, user_id="U1"))
    assert done.status == "done"
    with pytest.raises(TaskClosed, match="already done"):
        tasks.complete_task(uow(sessions), CompleteTask(task_id=task.task_id, user_id="U1"))
    assert names(sessions).count("TaskCompleted") == 1


def test_its_author_or_an_admin_edits_and_nobody_else(sessions: sessionmaker[Session]) -> None:
    hire(sessions, "U1")
    task = create(sessions, jira_id="UP-1")
    create(sessions, "Other", jira_id="UP-2")
    edit = EditTask(task_id=task.task_id, editor_id="U1", is_admin=False, title="Mine now")
    with pytest.raises(NotAllowed):
        tasks.edit_task(uow(sessions), edit)
    with pytest.raises(DuplicateJiraId):
        tasks.edit_task(uow(sessions), edit.model_copy(update={"editor_id": "UA", "jira_id": "UP-2"}))
    edited = tasks.edit_task(uow(sessions), edit.model_copy(update={"is_admin": True, "description": "left one"}))
    assert (edited.title, edited.jira_id, edited.description) == ("Mine now", None, "left one")
    assert names(sessions).count("TaskUpdated") == 1


def test_admins_delete_open_tasks_which_a_shuffle_then_leaves_alone(sessions: sessionmaker[Session]) -> None:
    hire(sessions, "U1", "U2")
    task, kept = create(sessions), create(sessions, "Kept")
    with pytest.raises(NotAllowed):
        tasks.delete_task(uow(sessions), DeleteTask(task_id=task.task_id, is_admin=False))
    deleted = tasks.delete_task(uow(sessions), DeleteTask(task_id=task.task_id, is_admin=True, deleted_by="UA"))
    assert deleted.status == "deleted"
    assert emitted(sessions)[-1]["data"] == {"task_id": str(task.task_id), "deleted_by": "UA"}
    assert tasks.shuffle_tasks(uow(sessions), ShuffleTasks(shuffled_by="UA"), random.Random(3)) == 1
    shuffled = [e["data"]["task_id"] for e in emitted(sessions)[-2:] if e["event_name"] == "TaskAssigned"]
    assert shuffled == [str(kept.task_id)] and names(sessions)[-1] == "ShuffleCompleted"


def test_a_shuffle_without_workers_moves_nothing(sessions: sessionmaker[Session]) -> None:
    hire(sessions, "U1")
    create(sessions)
    hire(sessions, "U1", role="manager")
    before = emitted(sessions)
    with pytest.raises(NoWorkers):
        tasks.shuffle_tasks(uow(sessions), ShuffleTasks(), random.Random(3))
    assert emitted(sessions) == before


def test_a_task_is_dated_by_the_unit_of_works_clock(sessions: sessionmaker[Session]) -> None:
    """The process's clock (ATES_CLOCK_START in a demo), not the wall clock: accounting books money by the same."""
    hire(sessions, "U1")
    clock = FakeClock(datetime(2026, 11, 20, 23, 50, tzinfo=UTC))
    task = tasks.create_task(tasks.unit_of_work(sessions, clock), CreateTask(author_id="UA", title="Fix the beak"))
    clock.advance(minutes=20)
    tasks.complete_task(tasks.unit_of_work(sessions, clock), CompleteTask(task_id=task.task_id, user_id="U1"))
    created, _, completed = emitted(sessions)
    assert created["data"]["created_at"].startswith("2026-11-20T23:50")
    assert completed["data"]["completed_at"].startswith("2026-11-21T00:10")
