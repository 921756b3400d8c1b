"""What a task message says, built from the truth: the tasks as they are now, their prices, and what happened to them.

User-typed text (titles, Jira ids, descriptions) goes into `plain_text` and `rich_text` elements only, which Slack
shows as typed; only `&`, `<` and `>` are escaped. Mentions of people are `user` elements or mrkdwn we wrote.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    RichTextBlock,
    RichTextElementParts,
    RichTextSectionElement,
    SectionBlock,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import DONE_ACTION, task_actions
from bot.message_tables import MessageTask, TaskFacts, TaskMessage
from bot.task_messages import shuffled_by
from domains.accounting.queries import TaskPrice, prices_of
from domains.kernel.clock import format_cents
from domains.tasks.model import TaskView
from domains.tasks.queries import get_tasks

SHOWN = 40  # tasks shown with their own block: with the summary and the "more" line, within Slack's 50 blocks
MAX_PLAIN = 3000


def verbatim(text: str) -> str:
    """User text for a plain_text or rich_text element: shown as typed; only what Slack requires is escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Row:
    task_id: str
    is_new: bool
    task: TaskView | None
    price: TaskPrice | None
    facts: TaskFacts | None
    moved_by: str | None  # whose shuffle gave the task to its holder now, when the recipient no longer holds it


@dataclass(frozen=True)
class MessageView:
    kind: str
    user_id: str
    actor_id: str | None
    rows: list[Row]  # the first SHOWN tasks
    total: int
    new: int
    fees_cents: int
    priced: bool  # every task's prices are known (a message is posted only then)


def load_view(sessions: sessionmaker[Session], message: TaskMessage) -> MessageView:
    """The message's tasks as they are now."""
    with sessions() as session:
        entries = session.execute(
            select(MessageTask.task_id, MessageTask.is_new)
            .where(MessageTask.key == message.key)
            .order_by(MessageTask.position)
        ).all()
    return view_of(sessions, message.kind, message.user_id, message.actor_id, [(t, new) for t, new in entries])


def view_of(
    sessions: sessionmaker[Session], kind: str, user_id: str, actor_id: str | None, entries: list[tuple[str, bool]]
) -> MessageView:
    """A message of `kind` to `user_id` showing these tasks (id, new to them), as they are now."""
    ids = [task_id for task_id, _ in entries]
    shown = ids[:SHOWN]
    tasks = get_tasks(sessions, shown)
    prices = prices_of(sessions, ids)
    with sessions() as session:
        facts = {f.task_id: f for f in session.scalars(select(TaskFacts).where(TaskFacts.task_id.in_(shown)))}
        rows = [
            _with_mover(
                session,
                Row(task_id, is_new, tasks.get(task_id), prices.get(task_id), facts.get(task_id), None),
                user_id,
            )
            for task_id, is_new in entries[:SHOWN]
        ]
    return MessageView(
        kind=kind,
        user_id=user_id,
        actor_id=actor_id,
        rows=rows,
        total=len(ids),
        new=sum(1 for _, is_new in entries if is_new),
        fees_cents=sum(p.fee_cents for p in prices.values()),
        priced=len(prices) == len(ids),
    )


def _with_mover(session: Session, row: Row, recipient: str) -> Row:
    task = row.task
    if task is None or task.status != "open" or task.assignee_id == recipient:
        return row
    return Row(row.task_id, row.is_new, task, row.price, row.facts, shuffled_by(session, row.task_id, task.assignee_id))


def is_live(row: Row, recipient: str) -> bool:
    return row.task is not None and row.task.status == "open" and row.task.assignee_id == recipient


def render(view: MessageView, note: str | None = None) -> tuple[list[dict[str, Any]], str]:
    """The message's blocks and its notification text; `note` answers a click on it."""
    blocks: list[Block] = [*_summary(view), *(_row_block(view, row) for row in view.rows)]
    if view.kind == "assigned" and view.rows and view.rows[0].task and is_live(view.rows[0], view.user_id):
        menu = task_actions(view.rows[0].task, done=False)  # Edit and Delete, as the task's other places offer
        menu.block_id = f"menu:{view.rows[0].task_id}"
        blocks.append(menu)
    if view.total > len(view.rows):
        more = view.total - len(view.rows)
        blocks.append(_context(f"…and {more} more: your App Home (the aTES app's Home tab) lists every task."))
    if note:
        blocks.append(_context(note))
    return [block.to_dict() for block in blocks], _notification(view)


def content_hash(blocks: list[dict[str, Any]], text: str) -> str:
    return hashlib.sha256(json.dumps([blocks, text], sort_keys=True).encode()).hexdigest()


def _summary(view: MessageView) -> list[Block]:
    if view.kind == "shuffle":
        who = f"<@{view.actor_id}>'s shuffle" if view.actor_id else "A shuffle"
        kept = view.total - view.new
        return [
            _section(f"{who} gave you *{view.total}* task{_s(view.total)}: {view.new} new to you, {kept} you kept."),
            _context(f"Fees charged: {format_cents(view.fees_cents)} (every draw charges the task's fee, kept too)."),
        ]
    if view.kind == "author":
        return [_section(f"A task you created was done by <@{view.actor_id}>.")]
    return [
        _section(
            "You have a new task." if any(is_live(r, view.user_id) for r in view.rows) else "A task you were given:"
        )
    ]


def _row_block(view: MessageView, row: Row) -> Block:
    """One task: with a Done button while the recipient holds it, else what became of it."""
    task, block_id = row.task, f"task:{row.task_id}"
    if task is None:
        return _rich(block_id, [RichTextElementParts.Text(text="This task no longer exists.")])
    if view.kind != "author" and is_live(row, view.user_id):
        return SectionBlock(
            block_id=block_id,
            text=PlainTextObject(text=_live_line(view, row)[:MAX_PLAIN], emoji=False),
            accessory=ButtonElement(text="Done", action_id=DONE_ACTION, value=row.task_id, style="primary"),
        )
    return _rich(block_id, [*_title(task), RichTextElementParts.Text(text=" — "), *_status(view, row)])


def _live_line(view: MessageView, row: Row) -> str:
    assert row.task is not None
    label = verbatim(row.task.title) + (f" ({verbatim(row.task.jira_id)})" if row.task.jira_id else "")
    money = ""
    if row.price is not None:
        money = f" · fee {format_cents(row.price.fee_cents)} charged · reward {format_cents(row.price.reward_cents)}"
    mark = (" · new" if row.is_new else " · kept") if view.kind == "shuffle" else ""
    return f"{label}{money}{mark} · ref {row.task_id[:8]}"


def _title(task: TaskView) -> list[Any]:
    parts: list[Any] = [RichTextElementParts.Text(text=verbatim(task.title), style={"bold": True})]
    if task.jira_id:
        parts.append(RichTextElementParts.Text(text=f" ({verbatim(task.jira_id)})"))
    return parts


def _status(view: MessageView, row: Row) -> list[Any]:
    task, facts = row.task, row.facts
    assert task is not None
    text, user = RichTextElementParts.Text, RichTextElementParts.User
    if task.status == "deleted":
        by = [text(text="🗑️ Deleted by "), user(user_id=facts.deleted_by)] if facts and facts.deleted_by else []
        return by or [text(text="🗑️ Deleted")]
    if task.status == "done":
        return _done(view, row)
    if task.assignee_id == view.user_id:
        return [text(text="yours, open")]
    moved = [text(text="Moved to "), user(user_id=task.assignee_id)]
    if row.moved_by:
        moved += [text(text=" by "), user(user_id=row.moved_by), text(text="'s shuffle")]
    return moved


def _done(view: MessageView, row: Row) -> list[Any]:
    task, facts = row.task, row.facts
    assert task is not None
    text, user = RichTextElementParts.Text, RichTextElementParts.User
    if task.assignee_id != view.user_id:
        return [text(text="✅ Done by "), user(user_id=task.assignee_id)]
    if facts is None or facts.reward_cents is None:
        return [text(text="✅ Done")]
    line = f"✅ Done, +{format_cents(facts.reward_cents)}"
    if facts.balance_after_cents is not None:
        line += f" · your balance: {format_cents(facts.balance_after_cents)}"
    return [text(text=line)]


def _notification(view: MessageView) -> str:
    """The notification's text: no user text in it, since Slack formats it."""
    if view.kind == "shuffle":
        return f"A shuffle gave you {view.total} task{_s(view.total)} ({view.new} new)"
    return "A task you created was done" if view.kind == "author" else "A task for you"


def _rich(block_id: str, parts: list[Any]) -> RichTextBlock:
    return RichTextBlock(block_id=block_id, elements=[RichTextSectionElement(elements=parts)])


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _s(count: int) -> str:
    return "" if count == 1 else "s"
