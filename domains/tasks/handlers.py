"""Tasks' commands: each is one unit of work (load, decide, write state and outbox, commit)."""

from __future__ import annotations

import random
import uuid
from typing import cast
from uuid import UUID

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.clock import utcnow
from domains.kernel.contracts import TaskAssigned, TaskCompleted, TaskCreatedV2
from domains.kernel.events import make_event
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks.model import NewTask, Status, TaskNotFound, TaskView, check_can_complete, pick_worker
from domains.tasks.tables import Member, Task, inbox, outbox

PRODUCER = "tasks"
_SHUFFLE_LOCK = 0x7A5C5

_system_random = random.SystemRandom()


def unit_of_work(sessions: sessionmaker[Session]) -> UnitOfWork:
    return UnitOfWork(sessions, PRODUCER, outbox, inbox)


def create_task(uow: UnitOfWork, author_id: str, new: NewTask, rng: random.Random = _system_random) -> TaskView:
    """Create a task and assign it to a random worker."""
    with uow:
        assignee_id = pick_worker(_workers(uow.session), rng)
        now = utcnow()
        task = Task(
            task_id=str(uuid.uuid4()),
            title=new.title,
            jira_id=new.jira_id,
            description=new.description,
            status="open",
            author_id=author_id,
            assignee_id=assignee_id,
            created_at=now,
        )
        uow.session.add(task)
        uow.session.flush()
        task_id = UUID(task.task_id)
        uow.emit(
            TaskCreatedV2(
                task_id=task_id,
                title=task.title,
                jira_id=task.jira_id,
                description=task.description,
                author_id=author_id,
                created_at=now,
            )
        )
        uow.emit(TaskAssigned(task_id=task_id, assignee_id=assignee_id, previous_assignee_id=None))
        view = task_view(task)
        uow.commit()
    return view


def complete_task(uow: UnitOfWork, task_id: UUID, user_id: str) -> TaskView:
    """Mark a task done; only its assignee may."""
    with uow:
        task = uow.session.get(Task, str(task_id), with_for_update=True)
        if task is None:
            raise TaskNotFound("That task no longer exists.")
        check_can_complete(task_view(task), user_id)
        task.status = "done"
        task.completed_at = utcnow()
        uow.emit(TaskCompleted(task_id=task_id, assignee_id=user_id, completed_at=task.completed_at))
        view = task_view(task)
        uow.commit()
    return view


def shuffle_tasks(uow: UnitOfWork, rng: random.Random = _system_random) -> int:
    """Reassign every open task to a random worker; returns how many were reassigned."""
    with uow:
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SHUFFLE_LOCK})
        workers = _workers(session)
        open_tasks = session.execute(
            select(Task.task_id, Task.assignee_id).where(Task.status == "open").with_for_update()
        ).all()
        if not open_tasks:
            return 0
        pick_worker(workers, rng)
        moves = [(task_id, previous, rng.choice(workers)) for task_id, previous in open_tasks]
        session.execute(
            update(Task),
            [{"task_id": task_id, "assignee_id": assignee} for task_id, _, assignee in moves],
        )
        uow.emit_events(
            [
                make_event(
                    PRODUCER, TaskAssigned(task_id=UUID(task_id), assignee_id=assignee, previous_assignee_id=previous)
                )
                for task_id, previous, assignee in moves
            ]
        )
        uow.commit()
    return len(moves)


def _workers(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Member.user_id).where(Member.role == "worker", Member.is_active.is_(True)).order_by(Member.user_id)
        )
    )


def task_view(task: Task) -> TaskView:
    status = cast(Status, task.status)
    return TaskView(
        UUID(task.task_id), task.title, task.jira_id, task.description, status, task.author_id, task.assignee_id
    )
