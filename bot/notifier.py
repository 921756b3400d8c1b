"""DMs that follow events: a task's new assignee gets the task with a **Done** button."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import assigned_dm, task_label
from domains.kernel.contracts import TASK_LIFECYCLE, TaskAssigned
from domains.kernel.events import Event
from domains.kernel.once import OnceGuard
from domains.tasks.queries import get_task

log = logging.getLogger(__name__)
GROUP = "notifier"


@dataclass
class Notifier:
    """A consumer group of its own; a DM is sent once per event (the guard remembers what was sent)."""

    client: WebClient
    sessions: sessionmaker[Session]
    sent: OnceGuard
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(TASK_LIFECYCLE,))

    def apply(self, event: Event) -> bool:
        payload = event.payload()
        key = f"dm:{event.event_id}"
        if not isinstance(payload, TaskAssigned) or self.sent.seen(key):
            return False
        task = get_task(self.sessions, payload.task_id)
        if task is None or task.status != "open" or task.assignee_id != payload.assignee_id:
            return False  # moved on since: the newer event brings its own DM
        channel = self.client.conversations_open(users=payload.assignee_id)["channel"]["id"]
        self.client.chat_postMessage(
            channel=channel, blocks=assigned_dm(task), text=f"New task: {task_label(task.title, task.jira_id)}"
        )
        self.sent.remember(key)
        return True
