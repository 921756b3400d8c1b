"""Submitted task modals: create, edit and delete.

Each submission is checked in the ack (a bad field, or one that breaks a rule as things stand, keeps the form open
with the error under it), then queued for the `requests` group (bot/requests.py), which carries it out once per
form, however often Slack delivers it, and answers by DM what only then turns out to be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import rich, styled, task_parts
from bot.listeners.middleware import services_of
from bot.modals import CREATE_VIEW, DELETE_VIEW, EDIT_VIEW, TITLE, form_values, notice
from bot.requests import ReplyTo, accept, form_request_id
from bot.services import Services
from bot.task_ui import task_by_id
from domains.identity.model import UserView
from domains.tasks.commands import CreateTask, DeleteTask, EditTask
from domains.tasks.model import InvalidTask, TaskError, TaskView, check_can_delete, check_can_edit, validate_task
from domains.tasks.queries import check_jira_id_free


def create_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Queue the task; the author is told by DM who got it."""
    _checked(ack, lambda: _create(services_of(context), context["actor"], view))


def edit_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Queue the edited title, Jira id and description (its author or an admin)."""
    _checked(ack, lambda: _edit(services_of(context), context["actor"], view))


def delete_confirmed(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Queue the deletion (admins), shown done at once; its assignee is told by DM."""
    try:
        task = _delete(services_of(context), context["actor"], view)
    except TaskError as refusal:
        ack(response_action="update", view=notice("Not deleted", str(refusal)))
        return
    deleted = rich(styled("Deleted "), *task_parts(task.title, task.jira_id), styled("."))
    ack(response_action="update", view=notice("Task deleted", deleted))


def register(app: App) -> None:
    app.view(CREATE_VIEW)(create_submitted)
    app.view(EDIT_VIEW)(edit_submitted)
    app.view(DELETE_VIEW)(delete_confirmed)


def _checked(ack: Ack, check_and_queue: Callable[[], None]) -> None:
    """A refusal is shown on the form itself; a form that passes is queued, then closed."""
    try:
        check_and_queue()
    except InvalidTask as refusal:
        ack(response_action="errors", errors={refusal.field: str(refusal)})
        return
    except TaskError as refusal:
        ack(response_action="errors", errors={TITLE: str(refusal)})
        return
    ack()


def _create(services: Services, actor: UserView, view: dict[str, Any]) -> None:
    new = validate_task(*form_values(view))
    check_jira_id_free(services.sessions, new.jira_id)
    command = CreateTask(
        request_id=form_request_id(CreateTask, view.get("id")),
        author_id=actor.slack_id,
        title=new.title,
        jira_id=new.jira_id,
        description=new.description,
    )
    accept(services, command, ReplyTo(user_id=actor.slack_id, view_id=view.get("id")))


def _edit(services: Services, actor: UserView, view: dict[str, Any]) -> None:
    new = validate_task(*form_values(view))
    task = task_by_id(services, str(view["private_metadata"]))
    check_can_edit(task, actor.slack_id, actor.role == "admin")
    if task.status == "open":
        check_jira_id_free(services.sessions, new.jira_id, task.task_id)
    command = EditTask(
        request_id=form_request_id(EditTask, view.get("id")),
        task_id=task.task_id,
        editor_id=actor.slack_id,
        is_admin=actor.role == "admin",
        title=new.title,
        jira_id=new.jira_id,
        description=new.description,
    )
    accept(services, command, ReplyTo(user_id=actor.slack_id, view_id=view.get("id")))


def _delete(services: Services, actor: UserView, view: dict[str, Any]) -> TaskView:
    task = task_by_id(services, str(view["private_metadata"]))
    check_can_delete(task, actor.role == "admin")
    command = DeleteTask(
        request_id=form_request_id(DeleteTask, view.get("id")),
        task_id=task.task_id,
        is_admin=actor.role == "admin",
        deleted_by=actor.slack_id,
    )
    accept(services, command, ReplyTo(user_id=actor.slack_id, view_id=view.get("id")))
    return task
