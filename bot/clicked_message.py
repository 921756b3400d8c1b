"""A click on a task message that can no longer be carried out: the message is brought up to the truth in place.

This is how a message a shuffle made stale is corrected (lazily, when someone acts on it), and how a click on a
task that was deleted, is done, belongs to someone else or no longer exists gets its answer where it was made.
"""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.message_sender import metadata
from bot.message_tables import TaskMessage
from bot.task_message_view import content_hash, load_view, render, view_of
from domains.tasks.queries import get_tasks


def recorded(sessions: sessionmaker[Session], channel: str, ts: str) -> TaskMessage | None:
    with sessions() as session:
        return session.scalar(select(TaskMessage).where(TaskMessage.channel_id == channel, TaskMessage.ts == ts))


def show_truth(
    client: WebClient,
    sessions: sessionmaker[Session],
    channel: str,
    ts: str,
    clicker: str,
    task_id: str,
    refusal: str | None,
) -> None:
    """Update the clicked message to what is true now, saying why nothing happened and who holds the task."""
    message = recorded(sessions, channel, ts)
    if message is not None:
        view = load_view(sessions, message)
    else:  # a message from before aTES kept records: shown as the one task that was clicked
        view = view_of(sessions, "assigned", clicker, None, [(task_id, False)])
    blocks, text = render(view, note=_why(sessions, task_id, clicker, refusal) if refusal else None)
    shown = content_hash(blocks, text)
    key = message.key if message is not None else f"clicked:{channel}:{ts}"
    client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text, metadata=metadata(key, shown))
    if message is not None:
        with sessions() as session:
            session.execute(update(TaskMessage).where(TaskMessage.key == message.key).values(shown_hash=shown))
            session.commit()


def _why(sessions: sessionmaker[Session], task_id: str, clicker: str, refusal: str) -> str:
    task = get_tasks(sessions, [task_id]).get(task_id)
    if task is not None and task.status == "open" and task.assignee_id != clicker:
        return f"{refusal} <@{task.assignee_id}> holds it now; nothing changed."
    return f"{refusal} Nothing changed."
