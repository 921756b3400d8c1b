"""Block Kit, built with slack_sdk's models so Slack's limits are checked before sending."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from domains.accounting.queries import AuditLine
from domains.kernel.clock import format_cents
from domains.tasks.model import TaskView

DONE_ACTION = "task_done"
MAX_TEXT = 3000
MAX_BLOCKS = 50
_KIND_LABEL = {"withdraw": "Fee", "deposit": "Reward", "payment": "Payout"}


def escape(text: str) -> str:
    """Slack's escaping of user text: no mentions, links or channel pings can be smuggled in."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def task_label(title: str | None, jira_id: str | None) -> str:
    name = f"*{escape(title)}*" if title else "_a task_"
    return f"{name} ({escape(jira_id)})" if jira_id else name


def render(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks[:MAX_BLOCKS]]


def _section(text: str) -> SectionBlock:
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def assigned_dm(task: TaskView) -> list[dict[str, Any]]:
    """The assignee's DM: the task and a Done button."""
    lines = f"You have a new task: {task_label(task.title, task.jira_id)}"
    if task.description:
        lines += f"\n>{escape(task.description)}"
    return render(
        [
            _section(lines),
            ContextBlock(elements=[MarkdownTextObject(text=f"Created by <@{task.author_id}>")]),
            ActionsBlock(
                elements=[ButtonElement(text="Done", action_id=DONE_ACTION, value=str(task.task_id), style="primary")]
            ),
        ]
    )


def done_dm(task: TaskView) -> list[dict[str, Any]]:
    """The same DM once the task is done: no button any more."""
    return render([_section(f":white_check_mark: Done: {task_label(task.title, task.jira_id)}")])


def balance_view(balance_cents: int, lines: list[AuditLine], day: str = "today") -> list[dict[str, Any]]:
    """The balance now, and the audit log of one day (`day` names it: "today", "on 2026-11-20")."""
    blocks: list[Block] = [
        HeaderBlock(text=f"Balance: {format_cents(balance_cents)}"),
        DividerBlock(),
    ]
    if not lines:
        blocks.append(_section(f"Nothing on your account {day}."))
    shown = lines[-40:]
    if len(lines) > len(shown):
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"Showing the last {len(shown)} of {len(lines)} lines {day}.")]
            )
        )
    blocks.extend(_section(_audit_line(line)) for line in shown)
    return render(blocks)


def _audit_line(line: AuditLine) -> str:
    when = line.created_at.strftime("%H:%M")
    task = f" · {task_label(line.task_title, line.jira_id)}" if line.task_title or line.jira_id else ""
    return f"`{when}` {_KIND_LABEL[line.kind]} {format_cents(line.amount_cents)}{task}"
