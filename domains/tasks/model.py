"""Tasks' rules, no I/O."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

Status = Literal["open", "done", "deleted"]
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
JIRA_ID = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[0-9]{1,7}$")
JIRA_PROJECT = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
_LEADING_KEY = re.compile(r"^\s*\[([^\]]*)\]\s*(.*)$", re.DOTALL)


class TaskError(Exception):
    """A task command that cannot be carried out; the message says why, for the user."""


class InvalidTask(TaskError):
    """A field of a task that breaks the rules; `field` names it (title, jira_id or description)."""

    def __init__(self, message: str, field: str = "title") -> None:
        super().__init__(message)
        self.field = field


class DuplicateJiraId(InvalidTask):
    """Another open task has this Jira id: `/task edit UP-42` must name one task."""

    def __init__(self, jira_id: str, holder: TaskView) -> None:
        ref = str(holder.task_id)[:8]
        super().__init__(
            f'{jira_id} is already the Jira id of the open task "{holder.title}" (ref {ref}); nothing was saved.',
            "jira_id",
        )


class NoWorkers(TaskError):
    pass


class TaskNotFound(TaskError):
    pass


class NotAssignee(TaskError):
    pass


class TaskClosed(TaskError):
    pass


class NotAllowed(TaskError):
    pass


@dataclass(frozen=True)
class NewTask:
    title: str
    jira_id: str | None
    description: str = ""


@dataclass(frozen=True)
class TaskView:
    task_id: UUID
    title: str
    jira_id: str | None
    description: str
    status: Status
    author_id: str
    assignee_id: str


@dataclass(frozen=True)
class BoardFilter:
    """Which open tasks a board shows: everyone's, or one person's, of every Jira project or one."""

    assignee_id: str | None = None
    project: str | None = None


@dataclass(frozen=True)
class BoardSummary:
    open_count: int
    worker_count: int
    by_assignee: list[tuple[str, int]]  # the assignees holding the most open tasks first


@dataclass(frozen=True)
class ShuffleRecord:
    shuffled_by: str | None
    moved: int
    worker_count: int
    shuffled_at: datetime


def parse_new_task(text: str, description: str = "") -> NewTask:
    """`[UP-42] Fix the beak` -> jira_id UP-42, title "Fix the beak"; the key is optional."""
    jira_id: str | None = None
    match = _LEADING_KEY.match(text)
    if match:
        jira_id, text = match.group(1).strip(), match.group(2)
    return validate_task(text, jira_id, description)


def validate_task(title: str, jira_id: str | None, description: str = "") -> NewTask:
    title = " ".join(title.split())
    jira_id = (jira_id or "").strip().upper() or None
    if not title:
        raise InvalidTask("A task needs a title, e.g. `/task new [UP-42] Fix the beak`.")
    if "[" in title or "]" in title:
        raise InvalidTask(
            "A title cannot contain `[` or `]`: put the Jira key first, e.g. `/task new [UP-42] Fix the beak`."
        )
    if len(title) > MAX_TITLE:
        raise InvalidTask(f"A title can be at most {MAX_TITLE} characters; this one has {len(title)}.")
    if jira_id is not None and not JIRA_ID.match(jira_id):
        raise InvalidTask("A Jira id looks like `UP-42` (letters, a dash, digits).", "jira_id")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidTask(f"A description can be at most {MAX_DESCRIPTION} characters.", "description")
    return NewTask(title, jira_id, description.strip())


def pick_worker(workers: list[str], rng: random.Random) -> str:
    if not workers:
        raise NoWorkers("There is no one with the worker role to assign tasks to; nothing was created.")
    return rng.choice(workers)


def check_can_complete(view: TaskView, user_id: str) -> None:
    check_open(view)
    if view.assignee_id != user_id:
        raise NotAssignee("Only the task's assignee can mark it done.")


def check_open(view: TaskView) -> None:
    if view.status == "deleted":
        raise TaskClosed("That task was deleted.")
    if view.status != "open":
        raise TaskClosed("That task is already done.")


def check_can_edit(view: TaskView, user_id: str, is_admin: bool) -> None:
    """Its author or an admin may edit a task that still exists."""
    if view.status == "deleted":
        raise TaskClosed("That task was deleted.")
    if user_id != view.author_id and not is_admin:
        raise NotAllowed("Only the task's author or an admin can edit it.")


def check_can_delete(view: TaskView, is_admin: bool) -> None:
    """Only an admin may delete, and only an open task (money already moved stays moved)."""
    if not is_admin:
        raise NotAllowed("Only an admin can delete a task.")
    check_open(view)
