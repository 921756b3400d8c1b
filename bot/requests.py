"""Slack requests the gateway acknowledged at once and the `requests` consumer group carries out.

Every order given in Slack that changes a task (`/task new`, the task form, edit, delete, **Done**) takes one path:
the gateway checks it, appends it to the slack-requests stream as a `SlackRequest` and acks, so acks stay fast in a
burst and whatever the Web API does; the acknowledged request is then durable (it survives a gateway restart) and
carried out once: its command carries a request id, which its domain records in its inbox. The request also carries
where to answer, an address only bot/ reads: the domains never see Slack.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict
from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import created_reply
from bot.clicked_message import recorded, show_truth
from bot.home import publish_home
from bot.modals import notice
from bot.replies import reply_privately
from bot.services import Services
from bot.task_ui import list_page
from domains.identity.queries import get_user
from domains.kernel.commands import CarriedOutBefore, Requested
from domains.kernel.consumer import OneByOne
from domains.kernel.contracts import SLACK_REQUESTS
from domains.kernel.events import Event, InvalidEvent, Payload, make_event, register
from domains.kernel.log_context import about, about_event
from domains.tasks.commands import CompleteTask, CreateTask, DeleteTask, EditTask
from domains.tasks.model import NewTask, TaskError, TaskView

log = logging.getLogger(__name__)
GROUP = "requests"
PRODUCER = "gateway"
# Requests of one batch are carried out side by side: most of their time is spent waiting on Slack.
PARALLEL = 16
QUEUED: tuple[type[Requested], ...] = (CreateTask, EditTask, DeleteTask, CompleteTask)  # what Slack's requests ask
COMMANDS: dict[str, type[Requested]] = {kind.__name__: kind for kind in QUEUED}

ShownIn = Literal["message", "ephemeral", "home"]


class ReplyTo(BaseModel):
    """Where a request is answered, for bot/ alone: who asked, and where they asked it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str
    response_url: str | None = None
    shown_in: ShownIn | None = None  # where a **Done** was clicked, to show the task done there
    channel_id: str | None = None
    message_ts: str | None = None
    view_id: str | None = None  # the submitted form's: answered by DM, or in the modal when it stays open


@register
class SlackRequest(Payload):
    """A request the gateway acknowledged: one command of a domain (by name, as JSON) and where to answer it."""

    NAME = "SlackRequest"
    VERSION = 1
    TOPIC = SLACK_REQUESTS
    command: str
    arguments: dict[str, Any]
    reply_to: str  # a `ReplyTo` as JSON


def accept(services: Services, command: Requested, reply_to: ReplyTo) -> None:
    """Queue a checked command for the `requests` group; it starts a correlation its events carry on."""
    arguments = command.model_dump(mode="json", exclude={"correlation_id"})
    request = SlackRequest(command=type(command).__name__, arguments=arguments, reply_to=reply_to.model_dump_json())
    event = make_event(PRODUCER, request, correlation_id=uuid4())
    services.bus.publish([(event.topic, event.to_json())])
    with about_event(event):
        log.info("queued %s", request.command)


def form_request_id(kind: type[Requested], view_id: str | None) -> UUID:
    """A submitted form's request id: the same for the same form submitted again (after a timeout, say)."""
    return uuid5(NAMESPACE_URL, f"slack-view:{kind.__name__}:{view_id}") if view_id else uuid4()


def accept_creation(services: Services, author_id: str, new: NewTask, response_url: str | None) -> None:
    """Queue `/task new` (already validated) for the `requests` group."""
    command = CreateTask(request_id=uuid4(), author_id=author_id, **_fields(new))
    accept(services, command, ReplyTo(user_id=author_id, response_url=response_url))


def accept_completion(services: Services, user_id: str, task_id: UUID, body: dict[str, Any]) -> None:
    """Queue a **Done** click for the `requests` group, with where it was clicked."""
    container = body.get("container") or {}
    shown_in: ShownIn = (
        "home" if container.get("type") == "view" else "ephemeral" if container.get("is_ephemeral") else "message"
    )
    reply_to = ReplyTo(
        user_id=user_id,
        response_url=body.get("response_url"),
        shown_in=shown_in,
        channel_id=(body.get("channel") or {}).get("id"),
        message_ts=(body.get("message") or {}).get("ts"),
    )
    accept(services, CompleteTask(request_id=uuid4(), task_id=task_id, user_id=user_id), reply_to)


def _fields(new: NewTask) -> dict[str, Any]:
    return {"title": new.title, "jira_id": new.jira_id, "description": new.description}


@register
class TaskCreationRequested(Payload):
    """`/task new …` as the gateway acknowledged it: the task is created by the `requests` group, which replies."""

    # Queued before `SlackRequest`: still read, as the command it was (`request_of`).

    NAME = "TaskCreationRequested"
    VERSION = 1
    TOPIC = SLACK_REQUESTS
    author_id: str
    title: str
    jira_id: str | None
    description: str
    response_url: str | None

    def request(self, request_id: UUID) -> SlackRequest:
        asked = self.model_dump(exclude={"response_url"})
        command = CreateTask(request_id=request_id, **asked)
        return _request(command, ReplyTo(user_id=self.author_id, response_url=self.response_url))


@register
class TaskCompletionRequested(Payload):
    """A **Done** click as the gateway acknowledged it; `shown_in` is where the task was clicked, to show it done."""

    # Queued before `SlackRequest`: still read, as the command it was (`request_of`).

    NAME = "TaskCompletionRequested"
    VERSION = 1
    TOPIC = SLACK_REQUESTS
    task_id: UUID
    user_id: str
    response_url: str | None
    shown_in: ShownIn
    channel_id: str | None
    message_ts: str | None

    def request(self, request_id: UUID) -> SlackRequest:
        command = CompleteTask(request_id=request_id, task_id=self.task_id, user_id=self.user_id)
        return _request(command, ReplyTo(**self.model_dump(exclude={"task_id"})))


def _request(command: Requested, reply_to: ReplyTo) -> SlackRequest:
    arguments = command.model_dump(mode="json")
    return SlackRequest(command=type(command).__name__, arguments=arguments, reply_to=reply_to.model_dump_json())


def request_of(event: Event) -> tuple[Requested, ReplyTo] | None:
    """The command a request event carries (with the event's correlation) and where to answer it.

    A request queued before `SlackRequest` existed is read as one whose request id is its event's id, as the tasks
    domain's inbox recorded it then."""
    asked = event.payload()
    if isinstance(asked, TaskCreationRequested | TaskCompletionRequested):
        asked = asked.request(event.event_id)
    if not isinstance(asked, SlackRequest):
        return None
    kind = COMMANDS.get(asked.command)
    if kind is None:
        raise InvalidEvent(f"SlackRequest of an unknown command {asked.command}")
    command = kind.model_validate({**asked.arguments, "correlation_id": event.correlation})
    return command, ReplyTo.model_validate_json(asked.reply_to)


@dataclass
class RequestRunner(OneByOne):
    """The `requests` consumer group: each request is carried out once (through the command bus), then answered."""

    client: WebClient
    services: Services
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(SLACK_REQUESTS,))
    handles: frozenset[type[Payload]] = frozenset({SlackRequest, TaskCreationRequested, TaskCompletionRequested})
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
        taken = request_of(event)
        if taken is None:
            return False
        command, reply_to = taken
        respond = Respond(response_url=reply_to.response_url)
        try:
            done = self.services.commands.handle(command)
        except CarriedOutBefore:
            return False
        except TaskError as refusal:  # not the assignee, no workers…: the refusal is the answer
            self._refuse(command, reply_to, respond, str(refusal))
            return True
        if isinstance(command, CreateTask):
            self._tell_created(done, reply_to, respond)
        elif isinstance(command, CompleteTask):
            self._show_done(reply_to, done, respond)
        return True

    def _refuse(self, command: Requested, reply_to: ReplyTo, respond: Respond, refusal: str) -> None:
        """Answer a refusal where it is seen: in the clicked message or the still open modal, else privately."""
        if isinstance(command, CompleteTask) and self._answer_in_place(command, reply_to, refusal):
            return
        if isinstance(command, DeleteTask) and self._answer_in_modal(reply_to, refusal):
            return
        reply_privately(respond, self.client, reply_to.user_id, refusal)

    def _answer_in_place(self, command: CompleteTask, reply_to: ReplyTo, refusal: str) -> bool:
        """A refused click on a task message: the message is brought up to the truth, saying who holds it now."""
        if reply_to.shown_in != "message" or not reply_to.channel_id or not reply_to.message_ts:
            return False
        clicked = (reply_to.channel_id, reply_to.message_ts)
        show_truth(self.client, self.services.sessions, *clicked, command.user_id, str(command.task_id), refusal)
        return True

    def _answer_in_modal(self, reply_to: ReplyTo, refusal: str) -> bool:
        """A delete refused after its confirmation was acknowledged: the modal, if still open, says so."""
        if not reply_to.view_id:
            return False
        try:
            self.client.views_update(view_id=reply_to.view_id, view=notice("Not deleted", refusal))
        except SlackApiError:  # closed meanwhile: answered by DM instead
            return False
        return True

    def _tell_created(self, task: TaskView, reply_to: ReplyTo, respond: Respond) -> None:
        """`/task new` is answered where it was typed; a submitted form (closed by then) by DM."""
        text, blocks = created_reply(task)
        if respond.response_url:
            respond(text=text, blocks=blocks, response_type="ephemeral")
        elif reply_to.view_id:
            self.client.chat_postMessage(channel=reply_to.user_id, text=text, blocks=blocks)

    def _show_done(self, reply_to: ReplyTo, task: TaskView, respond: Respond) -> None:
        """Show the task done where it was clicked: a `/task list` page or the App Home now; a task message aTES
        recorded is updated by the `notifier` group once the reward is credited (saying how much, and the balance)."""
        if reply_to.shown_in == "home":
            actor = get_user(self.services.sessions, reply_to.user_id)
            if actor is not None:
                publish_home(self.client, self.services.sessions, self.services.settings, actor)
        elif reply_to.shown_in == "ephemeral" and respond.response_url:
            blocks = list_page(self.services, reply_to.user_id)
            respond(replace_original=True, text="Your open tasks", blocks=blocks)
        elif reply_to.channel_id and reply_to.message_ts:
            clicked = (reply_to.channel_id, reply_to.message_ts)
            if recorded(self.services.sessions, *clicked) is None:  # posted before aTES kept records of them
                show_truth(self.client, self.services.sessions, *clicked, reply_to.user_id, str(task.task_id), None)
