"""Submitted task modals: create, edit and delete. A bad field keeps the form open with the error under it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import created_reply, rich, styled, task_parts
from bot.modals import CREATE_VIEW, DELETE_VIEW, EDIT_VIEW, TITLE, form_values, notice
from bot.services import Services
from domains.identity.model import UserView
from domains.tasks import handlers as tasks
from domains.tasks.model import InvalidTask, TaskError, TaskView, validate_task


def register(app: App, services: Services) -> None:
    @app.view(CREATE_VIEW)
    def create_submitted(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """Create the task from the form; the author is told by DM who got it."""
        actor: UserView = context["actor"]
        task = _decide(ack, lambda: _create(services, actor, view))
        if task is not None:
            text, blocks = created_reply(task)
            client.chat_postMessage(channel=actor.slack_id, text=text, blocks=blocks)

    @app.view(EDIT_VIEW)
    def edit_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Save the edited title, Jira id and description (its author or an admin)."""
        actor: UserView = context["actor"]
        _decide(ack, lambda: _edit(services, actor, view))

    @app.view(DELETE_VIEW)
    def delete_confirmed(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Delete the task (admins); its assignee is told by DM."""
        actor: UserView = context["actor"]
        try:
            task = tasks.delete_task(
                tasks.unit_of_work(services.sessions),
                UUID(view["private_metadata"]),
                actor.role == "admin",
                by=actor.slack_id,
            )
        except TaskError as refusal:
            ack(response_action="update", view=notice("Not deleted", str(refusal)))
            return
        deleted = rich(styled("Deleted "), *task_parts(task.title, task.jira_id), styled("."))
        ack(response_action="update", view=notice("Task deleted", deleted))


def _decide(ack: Ack, act: Callable[[], TaskView]) -> TaskView | None:
    """Run the command before answering Slack, so a refusal can be shown on the form itself."""
    try:
        task = act()
    except InvalidTask as refusal:
        ack(response_action="errors", errors={refusal.field: str(refusal)})
        return None
    except TaskError as refusal:
        ack(response_action="errors", errors={TITLE: str(refusal)})
        return None
    ack()
    return task


def _create(services: Services, actor: UserView, view: dict[str, Any]) -> TaskView:
    new_task = validate_task(*form_values(view))
    return tasks.create_task(tasks.unit_of_work(services.sessions), actor.slack_id, new_task, services.rng)


def _edit(services: Services, actor: UserView, view: dict[str, Any]) -> TaskView:
    new_task = validate_task(*form_values(view))
    task_id = UUID(view["private_metadata"])
    return tasks.update_task(
        tasks.unit_of_work(services.sessions), task_id, actor.slack_id, actor.role == "admin", new_task
    )
