"""The task modals: the create/edit form and the delete confirmation."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.blocks import rich, section, styled, task_parts
from domains.tasks.model import MAX_DESCRIPTION, MAX_TITLE, TaskView

CREATE_VIEW, EDIT_VIEW, DELETE_VIEW = "task_create", "task_edit", "task_delete"
TITLE, JIRA_ID, DESCRIPTION = "title", "jira_id", "description"
FIELD = "value"


def task_form(
    callback_id: str, *, title: str = "", jira_id: str = "", description: str = "", task_id: str = ""
) -> View:
    """The form for a new task (empty or pre-filled) or for editing one (`task_id` in its metadata)."""
    editing = callback_id == EDIT_VIEW
    return View(
        type="modal",
        callback_id=callback_id,
        title="Edit task" if editing else "New task",
        submit="Save" if editing else "Create",
        close="Cancel",
        private_metadata=task_id,
        blocks=[
            _input(TITLE, "Title", title, max_length=MAX_TITLE, placeholder="Fix the beak"),
            _input(JIRA_ID, "Jira id", jira_id, max_length=32, placeholder="UP-42", optional=True),
            _input(DESCRIPTION, "Description", description, max_length=MAX_DESCRIPTION, multiline=True, optional=True),
        ],
    )


def _input(
    block_id: str,
    label: str,
    value: str,
    *,
    max_length: int,
    placeholder: str | None = None,
    multiline: bool = False,
    optional: bool = False,
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=FIELD,
        initial_value=value[:max_length] or None,
        max_length=max_length,
        placeholder=placeholder,
        multiline=multiline,
    )
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def form_values(view: dict[str, Any]) -> tuple[str, str, str]:
    """The title, Jira id and description a submitted form holds ('' for an empty field)."""
    values = view["state"]["values"]

    def value(block_id: str) -> str:
        return str(values.get(block_id, {}).get(FIELD, {}).get("value") or "")

    return value(TITLE), value(JIRA_ID), value(DESCRIPTION)


def delete_confirmation(task: TaskView) -> View:
    return View(
        type="modal",
        callback_id=DELETE_VIEW,
        title="Delete task",
        submit="Delete",
        close="Keep it",
        private_metadata=str(task.task_id),
        blocks=[
            rich(
                styled("Delete "),
                *task_parts(task.title, task.jira_id),
                styled("? It will never be assigned again; fees already charged stay charged."),
            )
        ],
    )


def notice(title: str, body: str | Block) -> View:
    """A modal that only says something (what a submission turned into): our own mrkdwn, or a block."""
    return View(
        type="modal", title=title[:24], close="Close", blocks=[section(body) if isinstance(body, str) else body]
    )
