"""DMs that follow events: a task's new assignee gets the task with a **Done** button; a deleted task's
assignee is told it is gone."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import assigned_dm, deleted_dm, task_label
from domains.kernel.consumer import OneByOne
from domains.kernel.contracts import TASK_LIFECYCLE, TASKS, TaskAssigned, TaskDeleted
from domains.kernel.events import Event
from domains.kernel.once import OnceGuard
from domains.tasks.queries import get_task

log = logging.getLogger(__name__)
GROUP = "notifier"


@dataclass
class Notifier(OneByOne):
    """A consumer group of its own; a DM is sent once per event (the guard remembers what was sent)."""

    client: WebClient
    sessions: sessionmaker[Session]
    sent: OnceGuard
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(TASK_LIFECYCLE, TASKS))

    def apply(self, event: Event) -> bool:
        payload = event.payload()
        key = f"dm:{event.event_id}"
        if not isinstance(payload, TaskAssigned | TaskDeleted) or self.sent.seen(key):
            return False
        task = get_task(self.sessions, payload.task_id)
        if task is None:
            return False
        if isinstance(payload, TaskDeleted):
            self._dm(task.assignee_id, deleted_dm(task), f"Deleted: {task_label(task.title, task.jira_id)}")
        elif task.status == "open" and task.assignee_id == payload.assignee_id:
            self._dm(task.assignee_id, assigned_dm(task), f"New task: {task_label(task.title, task.jira_id)}")
        else:
            return False  # moved on since: the newer event brings its own DM
        self.sent.remember(key)
        return True

    def _dm(self, user_id: str, blocks: list[dict[str, object]], text: str) -> None:
        channel = self.client.conversations_open(users=user_id)["channel"]["id"]
        self.client.chat_postMessage(channel=channel, blocks=blocks, text=text)
