"""Tasks' command handlers, one per command: each is one unit of work (load, decide, write state and outbox, commit)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import cast
from uuid import UUID

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.clock import utcnow
from domains.kernel.contracts import (
    ShuffleCompleted,
    TaskAssigned,
    TaskCompleted,
    TaskCreatedV2,
    TaskDeleted,
    TaskUpdatedV2,
)
from domains.kernel.db import table_of
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks.commands import CompleteTask, CreateTask, DeleteTask, EditTask, ShuffleTasks
from domains.tasks.model import (
    DuplicateJiraId,
    NewTask,
    Status,
    TaskNotFound,
    TaskView,
    check_can_complete,
    check_can_delete,
    check_can_edit,
    pick_worker,
    validate_task,
)
from domains.tasks.tables import Member, Shuffle, Task, inbox, outbox

PRODUCER = "tasks"
_SHUFFLE_LOCK = 0x7A5C5
_JIRA_LOCK = 0x7A5C6  # with a Jira id's hash: the two-key advisory locks, apart from the shuffle's one-key lock
SHUFFLE_CHUNK = 5_000  # open tasks locked, moved and announced at a time

_system_random = random.SystemRandom()


def unit_of_work(sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> UnitOfWork:
    return UnitOfWork(sessions, PRODUCER, outbox, inbox, clock)


def create_task(uow: UnitOfWork, command: CreateTask, rng: random.Random = _system_random) -> TaskView:
    """Create a task and assign it to a random worker (once per request: `CarriedOutBefore` when repeated)."""
    with uow:
        uow.begin(command)
        new = validate_task(command.title, command.jira_id, command.description)
        _check_jira_id_free(uow.session, new.jira_id, None)
        assignee_id = pick_worker(_workers(uow.session), rng)
        task = _new_task(command.author_id, new, assignee_id, uow.clock())
        uow.session.add(task)
        uow.session.flush()
        task_id = UUID(task.task_id)
        uow.emit(
            TaskCreatedV2(
                task_id=task_id,
                title=task.title,
                jira_id=task.jira_id,
                description=task.description,
                author_id=task.author_id,
                created_at=task.created_at,
            )
        )
        uow.emit(TaskAssigned(task_id=task_id, assignee_id=assignee_id, previous_assignee_id=None))
        view = task_view(task)
        uow.commit()
    return view


def _new_task(author_id: str, new: NewTask, assignee_id: str, created_at: datetime) -> Task:
    return Task(
        task_id=str(uuid.uuid4()),
        title=new.title,
        jira_id=new.jira_id,
        description=new.description,
        status="open",
        author_id=author_id,
        assignee_id=assignee_id,
        created_at=created_at,
    )


def complete_task(uow: UnitOfWork, command: CompleteTask) -> TaskView:
    """Mark a task done; only its assignee may."""
    with uow:
        uow.begin(command)
        task = _locked(uow, command.task_id)
        check_can_complete(task_view(task), command.user_id)
        task.status = "done"
        task.completed_at = uow.clock()
        uow.emit(TaskCompleted(task_id=command.task_id, assignee_id=command.user_id, completed_at=task.completed_at))
        view = task_view(task)
        uow.commit()
    return view


def edit_task(uow: UnitOfWork, command: EditTask) -> TaskView:
    """Change a task's title, Jira id and description (its author or an admin); no money moves."""
    with uow:
        uow.begin(command)
        new = validate_task(command.title, command.jira_id, command.description)
        task = _locked(uow, command.task_id)
        check_can_edit(task_view(task), command.editor_id, command.is_admin)
        if task.status == "open":
            _check_jira_id_free(uow.session, new.jira_id, task.task_id)
        task.title, task.jira_id, task.description = new.title, new.jira_id, new.description
        uow.emit(
            TaskUpdatedV2(task_id=command.task_id, title=new.title, jira_id=new.jira_id, description=new.description)
        )
        view = task_view(task)
        uow.commit()
    return view


def delete_task(uow: UnitOfWork, command: DeleteTask) -> TaskView:
    """Delete an open task (admins only): it is never assigned again; what was charged stays charged."""
    with uow:
        uow.begin(command)
        task = _locked(uow, command.task_id)
        check_can_delete(task_view(task), command.is_admin)
        task.status = "deleted"
        uow.emit(TaskDeleted(task_id=command.task_id, deleted_by=command.deleted_by))
        view = task_view(task)
        uow.commit()
    return view


def reassign_tasks_of(uow: UnitOfWork, user_id: str, rng: random.Random = _system_random) -> int:
    """Give a departed user's open tasks to random workers, in the caller's unit of work; returns how many."""
    session = uow.session
    workers = _workers(session)
    if not workers:
        return 0  # nobody to take them: they stay put until a worker exists and a shuffle runs
    open_tasks = session.scalars(
        select(Task).where(Task.assignee_id == user_id, Task.status == "open").with_for_update()
    ).all()
    for task in open_tasks:
        task.assignee_id = rng.choice(workers)
        uow.emit(TaskAssigned(task_id=UUID(task.task_id), assignee_id=task.assignee_id, previous_assignee_id=user_id))
    return len(open_tasks)


def _check_jira_id_free(session: Session, jira_id: str | None, task_id: str | None) -> None:
    """Refuse a Jira id another open task has; on PostgreSQL, two tasks given the same id at once queue up."""
    if jira_id is None:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(:j))"), {"k": _JIRA_LOCK, "j": jira_id})
    check_jira_id_free(session, jira_id, task_id)


def check_jira_id_free(session: Session, jira_id: str | None, task_id: str | None) -> None:
    """Refuse a Jira id another open task (than `task_id`) has, as it is now."""
    if jira_id is None:
        return
    query = select(Task).where(Task.jira_id == jira_id, Task.status == "open", Task.task_id != (task_id or ""))
    holder = session.scalars(query.limit(1)).first()
    if holder is not None:
        raise DuplicateJiraId(jira_id, task_view(holder))


def _locked(uow: UnitOfWork, task_id: UUID) -> Task:
    task = uow.session.get(Task, str(task_id), with_for_update=True)
    if task is None:
        raise TaskNotFound("That task no longer exists.")
    return task


def shuffle_tasks(uow: UnitOfWork, command: ShuffleTasks, rng: random.Random = _system_random) -> int:
    """Reassign every open task to a random worker and record the shuffle; returns how many were reassigned.

    The tasks are locked, moved and announced a chunk at a time in one transaction, so memory stays flat. Every
    draw names the shuffle, and ShuffleCompleted follows the last one, so each worker can be told once.
    """
    with uow:
        uow.begin(command)
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SHUFFLE_LOCK})
        workers = _workers(session)
        draw = random.Random(rng.getrandbits(128))  # seeded once: a system draw per task costs a syscall each
        moved, after, shuffle_id = 0, "", uuid.uuid4()
        while chunk := _open_tasks_after(session, after):
            if not moved:
                pick_worker(workers, rng)  # refuses when there is no worker, before anything moves
            _move(uow, [(task_id, previous, draw.choice(workers)) for task_id, previous in chunk], shuffle_id)
            moved, after = moved + len(chunk), chunk[-1][0]
        if moved:
            uow.emit(ShuffleCompleted(shuffle_id=shuffle_id, shuffled_by=command.shuffled_by, moved=moved))
        record = Shuffle(
            shuffled_by=command.shuffled_by, moved=moved, worker_count=len(workers), shuffled_at=uow.clock()
        )
        session.add(record)
        uow.commit()
    return moved


def _move(uow: UnitOfWork, moves: list[tuple[str, str, str]], shuffle_id: UUID) -> None:
    """Give each task (id, previous assignee, new assignee) its new assignee and announce it, as a shuffle's draw."""
    _reassign(uow.session, [(task_id, assignee) for task_id, _, assignee in moves])
    for task_id, previous, assignee in moves:
        uow.emit(
            TaskAssigned(
                task_id=UUID(task_id), assignee_id=assignee, previous_assignee_id=previous, shuffle_id=shuffle_id
            )
        )
    uow.flush()


def _open_tasks_after(session: Session, after: str) -> list[tuple[str, str]]:
    """The next chunk of open tasks by id, locked: a completion waits for the shuffle, or the shuffle skips it."""
    rows = session.execute(
        select(Task.task_id, Task.assignee_id)
        .where(Task.status == "open", Task.task_id > after)
        .order_by(Task.task_id)
        .limit(SHUFFLE_CHUNK)
        .with_for_update()
    )
    return [(task_id, assignee) for task_id, assignee in rows]


def _reassign(session: Session, assignments: list[tuple[str, str]]) -> None:
    """Set each task's assignee: one statement per chunk on PostgreSQL, one per task elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "UPDATE tasks_tasks SET assignee_id = moved.assignee_id"
                " FROM unnest(CAST(:ids AS text[]), CAST(:assignees AS text[])) AS moved(task_id, assignee_id)"
                " WHERE tasks_tasks.task_id = moved.task_id"
            ),
            {"ids": [task_id for task_id, _ in assignments], "assignees": [who for _, who in assignments]},
        )
        return
    table = table_of(Task)
    session.execute(
        update(table).where(table.c.task_id == bindparam("moved_id")).values(assignee_id=bindparam("moved_to")),
        [{"moved_id": task_id, "moved_to": who} for task_id, who in assignments],
    )


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
