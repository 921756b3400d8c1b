"""Tasks' read models."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from domains.tasks import handlers
from domains.tasks.handlers import task_view
from domains.tasks.model import BoardFilter, BoardSummary, ShuffleRecord, TaskView
from domains.tasks.tables import Member, Shuffle, Task


def get_task(sessions: sessionmaker[Session], task_id: UUID) -> TaskView | None:
    with sessions() as session:
        task = session.get(Task, str(task_id))
        return task_view(task) if task else None


def check_jira_id_free(sessions: sessionmaker[Session], jira_id: str | None, task_id: UUID | None = None) -> None:
    """Refuse (`DuplicateJiraId`) a Jira id another open task has now: a check before a request is queued, which
    its handler makes again when it is carried out."""
    if jira_id is None:
        return
    with sessions() as session:
        handlers.check_jira_id_free(session, jira_id, str(task_id) if task_id else None)


def open_tasks_of(sessions: sessionmaker[Session], user_id: str, limit: int = 100, offset: int = 0) -> list[TaskView]:
    """A user's open tasks, oldest first, one page of them."""
    with sessions() as session:
        rows = session.scalars(
            select(Task)
            .where(Task.assignee_id == user_id, Task.status == "open")
            .order_by(Task.created_at, Task.task_id)
            .offset(offset)
            .limit(limit)
        )
        return [task_view(t) for t in rows]


def count_open_of(sessions: sessionmaker[Session], user_id: str) -> int:
    with sessions() as session:
        query = select(func.count()).select_from(Task).where(Task.assignee_id == user_id, Task.status == "open")
        return int(session.execute(query).scalar_one())


def recently_done_of(sessions: sessionmaker[Session], user_id: str, limit: int = 5) -> list[TaskView]:
    """A user's most recently completed tasks, newest first."""
    with sessions() as session:
        rows = session.scalars(
            select(Task)
            .where(Task.assignee_id == user_id, Task.status == "done")
            .order_by(Task.completed_at.desc())
            .limit(limit)
        )
        return [task_view(t) for t in rows]


def find_tasks(sessions: sessionmaker[Session], ref: str, limit: int = 5) -> list[TaskView]:
    """Tasks a user's reference names: a task id, the start of one (8+ characters) or a Jira id."""
    ref = ref.strip()
    by_jira = select(Task).where(Task.jira_id == ref.upper(), Task.status != "deleted")
    queries = [by_jira]
    if len(ref) >= 8 and all(c in "0123456789abcdef-" for c in ref.lower()):
        queries.insert(0, select(Task).where(Task.task_id.startswith(ref.lower(), autoescape=True)))
    with sessions() as session:
        for query in queries:  # a Jira id such as ABCDEF-12 also looks like the start of a task id
            found = [task_view(t) for t in session.scalars(query.order_by(Task.created_at.desc()).limit(limit))]
            if found:
                return found
    return []


def get_tasks(sessions: sessionmaker[Session], task_ids: list[str]) -> dict[str, TaskView]:
    """The tasks among these ids that exist, by id."""
    if not task_ids:
        return {}
    with sessions() as session:
        return {t.task_id: task_view(t) for t in session.scalars(select(Task).where(Task.task_id.in_(task_ids)))}


def _board_query(board: BoardFilter) -> Select[Task]:
    query = select(Task).where(Task.status == "open")
    if board.assignee_id:
        query = query.where(Task.assignee_id == board.assignee_id)
    if board.project:
        query = query.where(Task.jira_id.startswith(f"{board.project}-", autoescape=True))
    return query


def board_page(sessions: sessionmaker[Session], board: BoardFilter, limit: int, offset: int) -> list[TaskView]:
    """One page of the open tasks a board shows, newest first."""
    query = _board_query(board).order_by(Task.created_at.desc(), Task.task_id).offset(offset).limit(limit)
    with sessions() as session:
        return [task_view(t) for t in session.scalars(query)]


def count_board(sessions: sessionmaker[Session], board: BoardFilter) -> int:
    with sessions() as session:
        return int(session.execute(select(func.count()).select_from(_board_query(board).subquery())).scalar_one())


def board_summary(sessions: sessionmaker[Session], top: int = 10) -> BoardSummary:
    """How many tasks are open, among how many workers, and who holds the most."""
    held = func.count().label("held")
    by_assignee = (
        select(Task.assignee_id, held)
        .where(Task.status == "open")
        .group_by(Task.assignee_id)
        .order_by(held.desc(), Task.assignee_id)
    )
    workers = select(func.count()).select_from(Member).where(Member.role == "worker", Member.is_active.is_(True))
    with sessions() as session:
        counts = [(assignee, int(n)) for assignee, n in session.execute(by_assignee)]
        worker_count = int(session.execute(workers).scalar_one())
    return BoardSummary(sum(n for _, n in counts), worker_count, counts[:top])


def tasks_by_author(sessions: sessionmaker[Session], author_id: str, limit: int = 10) -> list[TaskView]:
    """The tasks a user created, newest first, whatever their status."""
    query = select(Task).where(Task.author_id == author_id).order_by(Task.created_at.desc(), Task.task_id)
    with sessions() as session:
        return [task_view(t) for t in session.scalars(query.limit(limit))]


def last_shuffle(sessions: sessionmaker[Session]) -> ShuffleRecord | None:
    with sessions() as session:
        shuffle = session.scalars(select(Shuffle).order_by(Shuffle.shuffle_id.desc()).limit(1)).first()
        if shuffle is None:
            return None
        return ShuffleRecord(shuffle.shuffled_by, shuffle.moved, shuffle.worker_count, shuffle.shuffled_at)
