"""Posting and updating task messages exactly once, side by side across channels, one channel's in order.

Each call is bracketed by writes: `posting` (or `updating_hash`) is committed before the call, the channel, ts and
what the message shows after it. A row found still `posting` when claimed again means the outcome is unknown (the
process died, or the call failed after Slack accepted it): Slack's own record settles it, by the key every message
carries in its metadata (conversations.history with include_all_metadata), instead of guessing.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.web import SlackResponse
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.message_tables import DmChannel, TaskMessage
from bot.task_message_view import content_hash, is_live, load_view, render
from bot.task_messages import plan_completed_shuffles
from domains.kernel.clock import utcnow
from domains.kernel.db import table_of, upsert
from domains.kernel.log_context import about

log = logging.getLogger(__name__)
EVENT_TYPE = "ates_task_message"
LEASE = timedelta(minutes=2)  # a claim older than this belongs to a member that died
CLOCK_SKEW = timedelta(minutes=1)  # Slack's clock and ours may differ: its record is read from this much earlier
CLAIM = 500
STALL_S = 0.2  # a message that could not go yet (its task not priced) is looked at again after this
GONE = {"channel_not_found", "user_not_found", "cannot_dm_bot", "account_inactive", "is_archived", "not_in_channel"}
UNCHANGEABLE = {"message_not_found", "cant_update_message", "channel_not_found", "edit_window_closed"}


class SlackUnavailable(ConnectionError):
    """Slack could not be reached, answered 5xx or kept refusing for its rate limit: an outage, which the consumer
    waits out without counting it against the event (the messages stay recorded, and go when Slack is back)."""


def metadata(key: str, shown: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key, "hash": shown}}


def refused(error: SlackApiError) -> str | None:
    """Slack's error when it answered that it did nothing (ok: false, or rate limited); None when unknown (5xx)."""
    response = error.response
    if response.status_code == 429:
        return "ratelimited"
    if response.status_code == 200 and isinstance(response.data, dict):
        return str(response.data.get("error"))
    return None


def content(key: str, blocks: list[dict[str, Any]], text: str, shown: str) -> dict[str, Any]:
    """A task message's blocks and text, and its key and what it shows in its metadata."""
    return {"blocks": blocks, "text": text, "metadata": metadata(key, shown)}


def attempt(
    method: Callable[..., SlackResponse], message: dict[str, Any], **where: Any
) -> SlackResponse | SlackApiError:
    """The call's reply, or the error by which Slack answered that it did nothing; an unknown outcome (a 5xx) is
    raised, and settled from Slack's record next time."""
    try:
        return method(**where, **message)
    except SlackApiError as failure:
        if refused(failure) is None:
            raise
        return failure


def is_outage(failure: Exception) -> bool:
    """Slack unreachable, a 5xx (an unknown outcome) or its rate limit: waited out, never the message's fault."""
    unreachable = isinstance(failure, OSError)
    return unreachable or (isinstance(failure, SlackApiError) and refused(failure) in (None, "ratelimited"))


def _as_outage(failure: Exception) -> Exception:
    if not is_outage(failure):
        return failure
    outage = SlackUnavailable(str(failure))
    outage.__cause__ = failure
    return outage


def without_blind_retries(client: WebClient) -> WebClient:
    """The same client (and pace), minus retrying a call whose connection dropped: that call may have been carried
    out, and posting it again would send it twice. Such an outcome is settled from Slack's record instead."""
    own = copy.copy(client)
    own.retry_handlers = [h for h in client.retry_handlers if not isinstance(h, ConnectionErrorRetryHandler)]
    return own


def known_dm_channel(sessions: sessionmaker[Session], user_id: str) -> str | None:
    """The DM channel Slack answered with when aTES last posted to this user id, if it ever did."""
    with sessions() as session:
        return session.scalar(select(DmChannel.channel_id).where(DmChannel.user_id == user_id))


def dm_channel(client: WebClient, sessions: sessionmaker[Session], user_id: str) -> str:
    """The DM channel with this person; for the first DM, the one case that needs conversations.open (Tier 3)."""
    return known_dm_channel(sessions, user_id) or str(client.conversations_open(users=user_id)["channel"]["id"])


def remember_dm_channel(session: Session, user_id: str, channel: str) -> None:
    """Keep the DM channel Slack answered with (in the caller's transaction)."""
    statement = upsert(session, table_of(DmChannel), ["user_id"], ["channel_id"])
    session.execute(statement.values(user_id=user_id, channel_id=channel))


def posted_with_key(
    client: WebClient, channel: str, since: datetime, event_type: str, key: str
) -> dict[str, Any] | None:
    """The message of the channel posted since then whose metadata carries this key, as Slack's record holds it."""
    oldest = str((since - CLOCK_SKEW).timestamp())
    for page in client.conversations_history(channel=channel, oldest=oldest, include_all_metadata=True, limit=200):
        for found in page.get("messages", []):
            meta = found.get("metadata") or {}
            if meta.get("event_type") == event_type and (meta.get("event_payload") or {}).get("key") == key:
                return dict(found)
    return None


@dataclass
class MessageSender:
    client: WebClient
    sessions: sessionmaker[Session]
    parallel: int = 8
    lease: timedelta = LEASE
    member: str = field(default_factory=lambda: uuid.uuid4().hex)
    stopping: threading.Event = field(default_factory=threading.Event)  # set: the message in hand is the last
    _pool: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.client = without_blind_retries(self.client)
        self._pool = ThreadPoolExecutor(self.parallel, thread_name_prefix="messages")

    def flush(self) -> None:
        """Send what is due, until nothing more can be sent now; re-raises the first failure after the rest.

        Each channel is a lane of its own, in order; lanes run side by side and a finished lane's place goes to
        what is due next at once, so a channel waiting for its one-a-second pace holds up no other channel."""
        plan_completed_shuffles(self.sessions)
        lanes: dict[str, Future[bool | Exception]] = {}
        stalled: dict[str, float] = {}  # channels whose message could not go yet (not priced), and since when
        failure: Exception | None = None
        claim = True
        while True:
            if claim and failure is None and not self.stopping.is_set():
                waiting = {channel for channel, since in stalled.items() if time.monotonic() - since < STALL_S}
                for channel, keys in self._claim_lanes(busy=lanes.keys() | waiting).items():
                    lanes[channel] = self._pool.submit(self._send_in_order, keys)
            if not lanes:
                break
            finished, _ = wait(lanes.values(), return_when=FIRST_COMPLETED)
            outcomes = {
                channel: lanes.pop(channel).result() for channel, lane in list(lanes.items()) if lane in finished
            }
            failure = failure or next((o for o in outcomes.values() if isinstance(o, Exception)), None)
            stalled |= {channel: time.monotonic() for channel, outcome in outcomes.items() if outcome is False}
            claim = any(outcome is True for outcome in outcomes.values())  # a lane freed: what is due next may go
        if failure is not None:
            raise _as_outage(failure)

    def _claim_lanes(self, busy: Iterable[str]) -> dict[str, list[str]]:
        """What is due, by channel, for the channels that have no lane running."""
        running = set(busy)
        lanes: dict[str, list[str]] = defaultdict(list)
        for key, user_id in self._claim():
            if user_id not in running:
                lanes[user_id].append(key)
        return lanes

    def _claim(self) -> list[tuple[str, str]]:
        now = utcnow()
        with self.sessions() as session:
            due = or_(
                TaskMessage.state.in_(("pending", "posting")),
                and_(TaskMessage.state == "posted", or_(TaskMessage.stale > 0, TaskMessage.updating_hash.is_not(None))),
            )
            free = or_(
                TaskMessage.claimed_by.is_(None),
                TaskMessage.claimed_by == self.member,
                TaskMessage.claimed_at < now - self.lease,
            )
            rows = session.execute(
                select(TaskMessage.key, TaskMessage.user_id)
                .where(due, free)
                .order_by(TaskMessage.created_at, TaskMessage.key)
                .limit(CLAIM)
                .with_for_update(skip_locked=True)
            ).all()
            keys = [(key, user_id) for key, user_id in rows]
            session.execute(
                update(TaskMessage)
                .where(TaskMessage.key.in_([key for key, _ in keys]))
                .values(claimed_by=self.member, claimed_at=now)
            )
            session.commit()
        return keys

    def _send_in_order(self, keys: list[str]) -> bool | Exception:
        """One person's messages in turn; True when any was settled, or the failure."""
        progress = False
        for key in keys:
            if self.stopping.is_set():  # the process is ending: what is left is free for whoever comes next
                self._release(key)
                continue
            try:
                progress = self._send(key) or progress
            except Exception as error:  # the rest of this channel waits for the retry, keeping its order
                log.exception("task message %s", key)
                self._release(key)
                return error
        return progress

    def _send(self, key: str) -> bool:
        message = self._load(key)
        if message.state == "posting":
            message = self._settle_post(message)
        if message.state == "pending":
            return self._post(message)
        if message.updating_hash is not None:
            message = self._settle_update(message)
        return self._update(message)

    def _load(self, key: str) -> TaskMessage:
        with self.sessions() as session:
            message = session.get(TaskMessage, key)
            assert message is not None
            return message

    def _post(self, message: TaskMessage) -> bool:
        view = load_view(self.sessions, message)
        if not view.priced:
            self._release(message.key)  # accounting has not priced every task yet: its next event brings us back
            return False
        if message.kind != "author" and not any(is_live(row, message.user_id) for row in view.rows):
            self._write(message.key, state="skipped")  # moved on before it could be told: newer messages tell it
            return True
        blocks, text = render(view)
        shown = content_hash(blocks, text)
        self._write(message.key, state="posting")  # a 5xx leaves it so: the outcome is unknown until settled
        channel = known_dm_channel(self.sessions, message.user_id) or message.user_id
        reply = attempt(self.client.chat_postMessage, content(message.key, blocks, text, shown), channel=channel)
        if isinstance(reply, SlackApiError):
            gone = refused(reply) in GONE
            self._write(message.key, state="failed" if gone else "pending")  # Slack posted nothing
            if gone:
                return True
            raise reply
        self._posted(message, str(reply["channel"]), str(reply["ts"]), shown)
        return True

    def _posted(self, message: TaskMessage, channel: str, ts: str, shown: str) -> None:
        with about(group="notifier", correlation_id=message.correlation_id):
            log.info("posted the %s message %s to %s (%s %s)", message.kind, message.key, message.user_id, channel, ts)
        with self.sessions() as session:
            session.execute(
                update(TaskMessage)
                .where(TaskMessage.key == message.key)
                .values(state="posted", channel_id=channel, ts=ts, shown_hash=shown, claimed_by=None)
            )
            if channel.startswith("D"):
                remember_dm_channel(session, message.user_id, channel)
            session.commit()

    def _update(self, message: TaskMessage) -> bool:
        assert message.channel_id is not None and message.ts is not None
        blocks, text = render(load_view(self.sessions, message))
        shown = content_hash(blocks, text)
        if shown != message.shown_hash:
            self._write(message.key, updating_hash=shown)  # a 5xx leaves it so: settled from Slack's record
            where = {"channel": message.channel_id, "ts": message.ts}
            reply = attempt(self.client.chat_update, content(message.key, blocks, text, shown), **where)
            if isinstance(reply, SlackApiError):
                self._write(message.key, updating_hash=None)  # Slack changed nothing
                if refused(reply) not in UNCHANGEABLE:
                    raise reply
                shown = message.shown_hash or ""
        with self.sessions() as session:
            session.execute(
                update(TaskMessage)
                .where(TaskMessage.key == message.key)
                .values(
                    shown_hash=shown,
                    updating_hash=None,
                    stale=TaskMessage.stale - message.stale,  # changes recorded meanwhile stay due
                    claimed_by=None,
                )
            )
            session.commit()
        return True

    def _settle_post(self, message: TaskMessage) -> TaskMessage:
        """Did the post that was under way reach Slack? Its metadata says; else it is posted (again) now."""
        channel = dm_channel(self.client, self.sessions, message.user_id)
        found = posted_with_key(self.client, channel, message.created_at, EVENT_TYPE, message.key)
        if found is None:
            self._write(message.key, state="pending")
        else:
            self._posted(message, channel, str(found["ts"]), str(found["metadata"]["event_payload"].get("hash")))
        return self._load(message.key)

    def _settle_update(self, message: TaskMessage) -> TaskMessage:
        """What does the message show after the update that was under way? Its metadata's hash says."""
        assert message.channel_id is not None
        reply = self.client.conversations_history(
            channel=message.channel_id, latest=message.ts, oldest=message.ts, inclusive=True, include_all_metadata=True
        )
        found = (reply.get("messages") or [{}])[0]
        shown = ((found.get("metadata") or {}).get("event_payload") or {}).get("hash")
        self._write(message.key, shown_hash=shown or message.shown_hash, updating_hash=None)
        return self._load(message.key)

    def _write(self, key: str, **values: Any) -> None:
        with self.sessions() as session:
            session.execute(update(TaskMessage).where(TaskMessage.key == key).values(**values))
            session.commit()

    def _release(self, key: str) -> None:
        self._write(key, claimed_by=None)
