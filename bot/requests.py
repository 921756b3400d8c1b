"""Slack requests the gateway acknowledged at once and the `requests` consumer group carries out.

Creating a task and completing one take a transaction and a reply to Slack. The gateway only checks the request,
appends it to the slack-requests stream and acks, so acks stay fast in a burst; an acknowledged request is then
durable: it survives a gateway restart and is carried out once (the tasks domain records it in its inbox).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID, uuid4

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.blocks import created_reply
from bot.clicked_message import recorded, show_truth
from bot.home import publish_home
from bot.replies import reply_privately
from bot.services import Services
from bot.task_ui import list_page
from domains.identity.queries import get_user
from domains.kernel.consumer import OneByOne
from domains.kernel.contracts import SLACK_REQUESTS, TaskCompletionRequested, TaskCreationRequested
from domains.kernel.events import Event, Payload, make_event
from domains.kernel.log_context import about, about_event
from domains.tasks import handlers as tasks
from domains.tasks.model import NewTask, TaskError, TaskView

log = logging.getLogger(__name__)
GROUP = "requests"
PRODUCER = "gateway"
# Requests of one batch are carried out side by side: most of their time is spent waiting on Slack.
PARALLEL = 16

ShownIn = Literal["message", "ephemeral", "home"]


def accept_creation(services: Services, author_id: str, new: NewTask, response_url: str | None) -> None:
    """Queue `/task new` (already validated) for the `requests` group."""
    _accept(
        services,
        TaskCreationRequested(
            author_id=author_id,
            title=new.title,
            jira_id=new.jira_id,
            description=new.description,
            response_url=response_url,
        ),
    )


def accept_completion(services: Services, user_id: str, task_id: UUID, body: dict[str, Any]) -> None:
    """Queue a **Done** click for the `requests` group, with where it was clicked."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    shown_in: ShownIn = (
        "home" if container.get("type") == "view" else "ephemeral" if container.get("is_ephemeral") else "message"
    )
    _accept(
        services,
        TaskCompletionRequested(
            task_id=task_id,
            user_id=user_id,
            response_url=body.get("response_url"),
            shown_in=shown_in,
            channel_id=(body.get("channel") or {}).get("id"),
            message_ts=message.get("ts"),
        ),
    )


def _accept(services: Services, request: Payload) -> None:
    """Queue the request; it starts a correlation that every event it causes carries on."""
    event = make_event(PRODUCER, request, correlation_id=uuid4())
    services.bus.publish([(event.topic, event.to_json())])
    with about_event(event):
        log.info("queued %s", event.event_name)


@dataclass
class RequestRunner(OneByOne):
    """The `requests` consumer group: each request is carried out once, then answered in Slack."""

    client: WebClient
    services: Services
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(SLACK_REQUESTS,))
    handles: frozenset[type[Payload]] = frozenset({TaskCreationRequested, TaskCompletionRequested})
    ignores: frozenset[type[Payload]] = frozenset()
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(PARALLEL, thread_name_prefix=GROUP), init=False, repr=False
    )

    def apply_many(self, events: list[Event]) -> None:
        for _ in self._pool.map(self.apply, events):  # re-raises the first failure: the batch is retried one by one
            pass

    def apply(self, event: Event) -> bool:
        with about(group=GROUP), about_event(event):  # also in the pool's threads, which start with no context
            return self._carry_out(event)

    def _carry_out(self, event: Event) -> bool:
        request = event.payload()
        if isinstance(request, TaskCreationRequested):
            asker, carry_out = request.author_id, self._create
        elif isinstance(request, TaskCompletionRequested):
            asker, carry_out = request.user_id, self._complete
        else:
            return False
        respond = Respond(response_url=request.response_url)
        try:
            return carry_out(event, respond)
        except TaskError as refusal:  # not the assignee, no workers…: the refusal is the answer
            if not (isinstance(request, TaskCompletionRequested) and self._answer_in_place(request, str(refusal))):
                reply_privately(respond, self.client, asker, str(refusal))
            return True

    def _answer_in_place(self, request: TaskCompletionRequested, refusal: str) -> bool:
        """A refused click on a task message: the message is brought up to the truth, saying who holds it now."""
        if request.shown_in != "message" or not request.channel_id or not request.message_ts:
            return False
        clicked = (request.channel_id, request.message_ts)
        show_truth(self.client, self.services.sessions, *clicked, request.user_id, str(request.task_id), refusal)
        return True

    def _create(self, event: Event, respond: Respond) -> bool:
        task = tasks.create_requested_task(tasks.unit_of_work(self.services.sessions), event, self.services.rng)
        if task is None:
            return False
        if respond.response_url:
            text, blocks = created_reply(task)
            respond(text=text, blocks=blocks, response_type="ephemeral")
        return True

    def _complete(self, event: Event, respond: Respond) -> bool:
        task = tasks.complete_requested_task(tasks.unit_of_work(self.services.sessions), event)
        if task is None:
            return False
        request = event.payload()
        assert isinstance(request, TaskCompletionRequested)
        self._show_done(request, task, respond)
        return True

    def _show_done(self, request: TaskCompletionRequested, task: TaskView, respond: Respond) -> None:
        """Show the task done where it was clicked: a `/task list` page or the App Home now; a task message aTES
        recorded is updated by the `notifier` group once the reward is credited (saying how much, and the balance)."""
        if request.shown_in == "home":
            actor = get_user(self.services.sessions, request.user_id)
            if actor is not None:
                publish_home(self.client, self.services.sessions, self.services.settings, actor)
        elif request.shown_in == "ephemeral" and respond.response_url:
            blocks = list_page(self.services, request.user_id)
            respond(replace_original=True, text="Your open tasks", blocks=blocks)
        elif request.channel_id and request.message_ts:
            clicked = (request.channel_id, request.message_ts)
            if recorded(self.services.sessions, *clicked) is None:  # posted before aTES kept records of them
                show_truth(self.client, self.services.sessions, *clicked, request.user_id, str(task.task_id), None)
