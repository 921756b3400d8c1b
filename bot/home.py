"""Keeping App Homes current: publish one user's home, and a consumer group that republishes on change."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.home_queue import HomeQueue
from bot.home_view import PAGE_SIZE, HomeData, home_view
from bot.on_demand import OnDemandThread
from domains.accounting.queries import statement
from domains.identity.model import UserView, can_shuffle
from domains.identity.queries import get_user
from domains.kernel import contracts
from domains.kernel.clock import cycle_of, utcnow
from domains.kernel.consumer import OneByOne
from domains.kernel.events import Event, Payload
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
HOME_DELAY_S = 0.3  # a refresh waits this long for the rest of a burst of events


def publish_home(client: WebClient, sessions: sessionmaker[Session], settings: Settings, actor: UserView) -> None:
    """Render and publish a user's App Home (views.publish replaces it whole, so repeating is harmless)."""
    user_id = actor.slack_id
    data = HomeData(
        actor=actor,
        open_tasks=open_tasks_of(sessions, user_id, limit=PAGE_SIZE),
        open_count=count_open_of(sessions, user_id),
        recently_done=recently_done_of(sessions, user_id),
        statement=statement(sessions, user_id, cycle_of(utcnow(), settings.timezone), later=True),
        timezone=settings.timezone,
        board=board_summary(sessions) if can_shuffle(actor.role) else None,
        last_shuffle=last_shuffle(sessions) if can_shuffle(actor.role) else None,
        authored=tasks_by_author(sessions, user_id),
    )
    client.views_publish(user_id=user_id, view=home_view(data))


def affected_users(event: Event, sessions: sessionmaker[Session]) -> set[str]:
    """Whose App Home an event changes."""
    payload = event.payload()
    if isinstance(payload, contracts.TaskAssigned) and payload.previous_assignee_id:
        return {payload.assignee_id, payload.previous_assignee_id}
    if isinstance(payload, contracts.TaskAssigned | contracts.TaskCompleted):
        # Created or done: its author's "tasks you created" changes too.
        task = get_task(sessions, payload.task_id)
        return {payload.assignee_id} | ({task.author_id} if task else set())
    if isinstance(payload, contracts.UserWithdrawn | contracts.UserBalanceIncreased | contracts.UserPaid):
        return {payload.user_id}
    if isinstance(payload, contracts.TaskUpdatedV2 | contracts.TaskDeleted):
        task = get_task(sessions, payload.task_id)
        return {task.assignee_id} if task else set()
    return set()


TAKE_AT_ONCE = 50
IDLE_WAIT_S = 1.0  # the longest the publisher sleeps before looking at the queue again


@dataclass
class HomeRefresher(OneByOne):
    """A consumer group of its own. Homes are coalesced per user (`bot/home_queue.py`): published a moment
    after their events, the latest state, at most once per `ATES_HOME_PUBLISH_INTERVAL_S`: a shuffle of
    100,000 tasks makes one publish per worker, not 200,000. The thread that publishes exists only while
    there is something to publish; `resume` starts it for what an earlier run left in the queue."""

    client: WebClient
    sessions: sessionmaker[Session]
    settings: Settings
    queue: HomeQueue
    group: str = GROUP
    topics: tuple[str, ...] = (contracts.TASKS, contracts.TASK_LIFECYCLE, contracts.TRANSACTIONS)
    handles: frozenset[type[Payload]] = frozenset(
        {
            contracts.TaskAssigned,
            contracts.TaskCompleted,
            contracts.TaskUpdatedV2,
            contracts.TaskDeleted,
            contracts.UserWithdrawn,
            contracts.UserBalanceIncreased,
            contracts.UserPaid,
        }
    )
    # A new task shows with its assignment, a shuffle with its draws; a carried-over balance is unchanged.
    ignores: frozenset[type[Payload]] = frozenset(
        {contracts.TaskCreatedV2, contracts.ShuffleCompleted, contracts.BalanceCarriedOver}
    )
    _publishing: OnDemandThread = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._publishing = OnDemandThread(REFRESH_THREAD, self._publish_round, pending=self._queued)

    def apply(self, event: Event) -> bool:
        users = affected_users(event, self.sessions)
        if users:
            self.queue.mark(users)  # acknowledged once queued: the queue, not the event, keeps the refresh
            self.resume()
        return bool(users)

    def resume(self) -> None:
        self._publishing.wake()

    def _publish_round(self) -> None:
        try:
            self._publish_due()
        except Exception:  # the queue is away (Redis restarting): what it holds waits for it
            log.exception("could not read the App Home queue")
            time.sleep(IDLE_WAIT_S)

    def _queued(self) -> bool:
        return self.queue.next_due() is not None

    def _publish_due(self) -> None:
        wait = self.queue.next_due()
        if wait is not None and wait > 0:
            self._publishing.nap(min(wait, IDLE_WAIT_S))
            return
        users, lease = self.queue.take(TAKE_AT_ONCE)
        for user_id in users:
            if self._publish(user_id):
                self.queue.done(user_id, lease)

    def _publish(self, user_id: str) -> bool:
        """True when settled (published, or nothing to publish); False to try again when the lease runs out."""
        actor = get_user(self.sessions, user_id)
        if actor is None:
            return True
        try:
            publish_home(self.client, self.sessions, self.settings, actor)
        except SlackApiError:
            log.exception("Slack refused the App Home of %s", user_id)  # the same view would be refused again
        except Exception:
            log.exception("could not refresh the App Home of %s", user_id)
            return False
        return True
