"""What several task listeners share: finding a task from a reference, opening its modals, the list page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from slack_sdk import WebClient

from bot.home_view import PAGE_SIZE, task_list_page
from bot.modals import CREATE_VIEW, EDIT_VIEW, delete_confirmation, task_form
from bot.services import Services
from domains.identity.model import UserView, can_shuffle
from domains.tasks.commands import ShuffleTasks
from domains.tasks.model import TaskNotFound, TaskView, check_can_delete, check_can_edit
from domains.tasks.queries import count_open_of, find_tasks, get_task, open_tasks_of

SHUFFLE_REFUSAL = "Only managers and admins can shuffle tasks; nothing was changed."


def resolve_task(services: Services, ref: str) -> TaskView:
    """The one task a user's reference (task id, its first 8 characters, or Jira id) names."""
    found = find_tasks(services.sessions, ref)
    if not found:
        raise TaskNotFound("No task matches that reference: use the `ref` shown in `/task list` or a Jira id.")
    if len(found) > 1:
        raise TaskNotFound("Several tasks match that reference: use the `ref` shown in `/task list` instead.")
    return found[0]


def task_by_id(services: Services, value: str) -> TaskView:
    """The task a button's value names."""
    try:
        task = get_task(services.sessions, UUID(value))
    except ValueError:
        task = None
    if task is None:
        raise TaskNotFound("That task no longer exists.")
    return task


def open_create_form(client: WebClient, trigger_id: str, description: str = "") -> None:
    client.views_open(trigger_id=trigger_id, view=task_form(CREATE_VIEW, description=description))


def open_edit_form(client: WebClient, trigger_id: str, task: TaskView, actor: UserView) -> None:
    """The edit form, pre-filled, for the task's author or an admin (anyone else is refused)."""
    check_can_edit(task, actor.slack_id, actor.role == "admin")
    form = task_form(
        EDIT_VIEW,
        title=task.title,
        jira_id=task.jira_id or "",
        description=task.description,
        task_id=str(task.task_id),
    )
    client.views_open(trigger_id=trigger_id, view=form)


def open_delete_confirmation(client: WebClient, trigger_id: str, task: TaskView, actor: UserView) -> None:
    check_can_delete(task, actor.role == "admin")
    client.views_open(trigger_id=trigger_id, view=delete_confirmation(task))


def list_page(services: Services, user_id: str, offset: int = 0) -> list[dict[str, Any]]:
    """The blocks of one page of a user's open tasks."""
    total = count_open_of(services.sessions, user_id)
    offset = max(0, min(offset, max(total - 1, 0)) // PAGE_SIZE * PAGE_SIZE)
    return task_list_page(open_tasks_of(services.sessions, user_id, PAGE_SIZE, offset), total, offset)


def shuffle_all(services: Services, actor: UserView) -> str:
    """Shuffle every open task (managers and admins) and say how it went; a refusal changes nothing."""
    if not can_shuffle(actor.role):
        return SHUFFLE_REFUSAL
    moved: int = services.commands.handle(ShuffleTasks(shuffled_by=actor.slack_id))
    return f"Shuffled {moved} open task{'s' if moved != 1 else ''}." if moved else "There are no open tasks."
