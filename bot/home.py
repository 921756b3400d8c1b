"""Keeping App Homes current: publish one user's home, and a consumer group that republishes on change."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.home_view import PAGE_SIZE, HomeData, home_view
from domains.accounting.queries import audit_log, balance_of
from domains.identity.model import UserView, can_shuffle
from domains.identity.queries import get_user
from domains.kernel.clock import cycle_of, utcnow
from domains.kernel.consumer import OneByOne
from domains.kernel.contracts import (
    TASK_LIFECYCLE,
    TASKS,
    TRANSACTIONS,
    TaskAssigned,
    TaskCompleted,
    TaskDeleted,
    TaskUpdatedV2,
    UserBalanceIncreased,
    UserPaid,
    UserWithdrawn,
)
from domains.kernel.events import Event
from domains.kernel.settings import Settings
from domains.tasks.queries import (
    board_summary,
    count_open_of,
    get_task,
    last_shuffle,
    open_tasks_of,
    recently_done_of,
    tasks_by_author,
)

log = logging.getLogger(__name__)
GROUP = "home"
REFRESH_THREAD = "home-refresh"


def publish_home(client: WebClient, sessions: sessionmaker[Session], settings: Settings, actor: UserView) -> None:
    """Render and publish a user's App Home (views.publish replaces it whole, so repeating is harmless)."""
    user_id = actor.slack_id
    data = HomeData(
        actor=actor,
        open_tasks=open_tasks_of(sessions, user_id, limit=PAGE_SIZE),
        open_count=count_open_of(sessions, user_id),
        recently_done=recently_done_of(sessions, user_id),
        balance_cents=balance_of(sessions, user_id),
        today=audit_log(sessions, user_id, cycle_of(utcnow(), settings.timezone)),
        timezone=settings.timezone,
        board=board_summary(sessions) if can_shuffle(actor.role) else None,
        last_shuffle=last_shuffle(sessions) if can_shuffle(actor.role) else None,
        authored=tasks_by_author(sessions, user_id),
    )
    client.views_publish(user_id=user_id, view=home_view(data))


def affected_users(event: Event, sessions: sessionmaker[Session]) -> set[str]:
    """Whose App Home an event changes."""
    payload = event.payload()
    if isinstance(payload, TaskAssigned) and payload.previous_assignee_id:
        return {payload.assignee_id, payload.previous_assignee_id}
    if isinstance(payload, TaskAssigned | TaskCompleted):  # created or done: its author's "tasks you created" too
        task = get_task(sessions, payload.task_id)
        return {payload.assignee_id} | ({task.author_id} if task else set())
    if isinstance(payload, UserWithdrawn | UserBalanceIncreased | UserPaid):
        return {payload.user_id}
    if isinstance(payload, TaskUpdatedV2 | TaskDeleted):
        task = get_task(sessions, payload.task_id)
        return {task.assignee_id} if task else set()
    return set()


@dataclass
class HomeRefresher(OneByOne):
    """A consumer group of its own. Homes are republished a moment after their events, many events at once:
    a shuffle of 100,000 tasks makes one publish per worker, not 200,000. A lost refresh costs nothing
    durable (the home is rebuilt whenever it is opened), so pending users live in memory, and the thread
    that publishes them exists only while there are some."""

    client: WebClient
    sessions: sessionmaker[Session]
    settings: Settings
    delay_s: float = 0.3
    group: str = GROUP
    topics: tuple[str, ...] = (TASKS, TASK_LIFECYCLE, TRANSACTIONS)
    _pending: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def apply(self, event: Event) -> bool:
        users = affected_users(event, self.sessions)
        with self._lock:
            self._pending |= users
            if users and self._thread is None:
                self._thread = threading.Thread(target=self._run, name=REFRESH_THREAD, daemon=True)
                self._thread.start()
        return bool(users)

    def _run(self) -> None:
        while True:
            time.sleep(self.delay_s)  # let the rest of a burst arrive
            with self._lock:
                users, self._pending = self._pending, set()
                if not users:
                    self._thread = None
                    return
            for user_id in sorted(users):
                self._publish(user_id)

    def _publish(self, user_id: str) -> None:
        actor = get_user(self.sessions, user_id)
        if actor is None:
            return
        try:
            publish_home(self.client, self.sessions, self.settings, actor)
        except Exception:
            log.exception("could not refresh the App Home of %s", user_id)
