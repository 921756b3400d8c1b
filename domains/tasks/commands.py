"""Tasks' commands: what a person (or a scheduler) orders the tasks domain to do, one handler each."""

from __future__ import annotations

from uuid import UUID

from domains.kernel.commands import Requested


class CreateTask(Requested):
    """Create a task and assign it to a random worker, who pays its fee."""

    author_id: str
    title: str
    jira_id: str | None = None
    description: str = ""


class EditTask(Requested):
    """Change a task's title, Jira id and description (its author or an admin); no money moves."""

    task_id: UUID
    editor_id: str
    is_admin: bool
    title: str
    jira_id: str | None = None
    description: str = ""


class DeleteTask(Requested):
    """Delete an open task (admins): it is never assigned again; what was charged stays charged."""

    task_id: UUID
    is_admin: bool
    deleted_by: str | None = None


class CompleteTask(Requested):
    """Mark a task done (its assignee only), which credits its reward."""

    task_id: UUID
    user_id: str


class ShuffleTasks(Requested):
    """Reassign every open task to a random worker (managers and admins, as the caller checks)."""

    shuffled_by: str | None = None
