"""Block Kit, built with slack_sdk's models so Slack's limits are checked before sending."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)

from domains.accounting.queries import AuditLine
from domains.kernel.clock import format_cents
from domains.tasks.model import TaskView

DONE_ACTION = "task_done"
MENU_ACTION = "task_menu"
EDIT, DELETE = "edit", "delete"
MAX_TEXT = 3000
MAX_BLOCKS = 50
_KIND_LABEL = {"withdraw": "Fee", "deposit": "Reward", "payment": "Payout"}
# Slack's mrkdwn has no escape for its markers, so user text gets look-alikes that never format.
_MARKERS = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def escape(text: str) -> str:
    """User text made safe for mrkdwn: no mentions, links or pings (<>&), and no bold/italic/strike/code."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(_MARKERS)


def task_label(title: str | None, jira_id: str | None) -> str:
    name = f"*{escape(title)}*" if title else "_a task_"
    return f"{name} ({escape(jira_id)})" if jira_id else name


def short_ref(task: TaskView) -> str:
    """The short reference `/task edit` accepts: the first 8 characters of the task's id."""
    return str(task.task_id)[:8]


def render(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks[:limit]]


def section(text: str) -> SectionBlock:
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:MAX_TEXT])])


def task_actions(task: TaskView, *, done: bool = True) -> ActionsBlock:
    """A task's **Done** button (for its assignee) and its Edit/Delete menu."""
    elements: list[Any] = []
    if done:
        elements.append(ButtonElement(text="Done", action_id=DONE_ACTION, value=str(task.task_id), style="primary"))
    menu = [
        Option(text="Edit", value=f"{EDIT}:{task.task_id}"),
        Option(text="Delete", value=f"{DELETE}:{task.task_id}"),
    ]
    elements.append(OverflowMenuElement(action_id=MENU_ACTION, options=menu))
    return ActionsBlock(block_id=f"task:{task.task_id}", elements=elements)


def task_line(task: TaskView) -> str:
    line = f"{task_label(task.title, task.jira_id)}  `{short_ref(task)}`"
    if task.description:
        line += f"\n{escape(task.description[:300])}"
    return line


def assigned_dm(task: TaskView) -> list[dict[str, Any]]:
    """The assignee's DM: the task, a Done button and the Edit/Delete menu."""
    lines = f"You have a new task: {task_label(task.title, task.jira_id)}"
    if task.description:
        lines += "\n>" + escape(task.description).replace("\n", "\n>")
    return render(
        [section(lines), context(f"Created by <@{task.author_id}> · ref `{short_ref(task)}`"), task_actions(task)]
    )


def done_dm(task: TaskView) -> list[dict[str, Any]]:
    """The same DM once the task is done: no button any more."""
    return render([section(f":white_check_mark: Done: {task_label(task.title, task.jira_id)}")])


def deleted_dm(task: TaskView) -> list[dict[str, Any]]:
    """What the assignee is told when an admin deletes their task."""
    return render(
        [
            section(f":wastebasket: Deleted: {task_label(task.title, task.jira_id)}"),
            context("An admin deleted this task: it is no longer yours and costs nothing more."),
        ]
    )


def balance_blocks(
    balance_cents: int, lines: list[AuditLine], timezone: ZoneInfo, shown: int = 40, day: str = "today"
) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=f"Balance: {format_cents(balance_cents)}"), DividerBlock()]
    if not lines:
        blocks.append(section(f"Nothing on your account {day}."))
    last = lines[-shown:]
    if len(lines) > len(last):
        blocks.append(context(f"Showing the last {len(last)} of {len(lines)} lines {day}."))
    blocks.extend(section(audit_line(line, timezone)) for line in last)
    return blocks


def balance_view(
    balance_cents: int, lines: list[AuditLine], timezone: ZoneInfo, day: str = "today"
) -> list[dict[str, Any]]:
    """The balance now, and the audit log of one day (`day` names it: "today", "on 2026-11-20")."""
    return render(balance_blocks(balance_cents, lines, timezone, day=day))


def audit_line(line: AuditLine, timezone: ZoneInfo) -> str:
    """One line of the audit log, its time in the company's time zone (the billing cycle's)."""
    at = line.created_at if line.created_at.tzinfo else line.created_at.replace(tzinfo=UTC)  # SQLite drops the zone
    when = at.astimezone(timezone).strftime("%H:%M")
    task = f" · {task_label(line.task_title, line.jira_id)}" if line.task_title or line.jira_id else ""
    return f"`{when}` {_KIND_LABEL[line.kind]} {format_cents(line.amount_cents)}{task}"
