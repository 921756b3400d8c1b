"""Tasks' read models."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.tasks.handlers import task_view
from domains.tasks.model import TaskView
from domains.tasks.tables import Task


def get_task(sessions: sessionmaker[Session], task_id: UUID) -> TaskView | None:
    with sessions() as session:
        task = session.get(Task, str(task_id))
        return task_view(task) if task else None


def open_tasks_of(sessions: sessionmaker[Session], user_id: str, limit: int = 100) -> list[TaskView]:
    with sessions() as session:
        rows = session.scalars(
            select(Task)
            .where(Task.assignee_id == user_id, Task.status == "open")
            .order_by(Task.created_at)
            .limit(limit)
        )
        return [task_view(t) for t in rows]
