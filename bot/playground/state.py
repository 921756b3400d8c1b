"""What the playground's Slack holds: messages, views, uploaded files and every Web API call made to it."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.playground.workspace import ANALYTICS, BOT_USER_ID, BY_ID, GENERAL, dm_channel

MAX_MESSAGES_PER_CHANNEL = 500
MAX_CALLS = 5000


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class Message:
    channel: str
    ts: str
    author: str
    text: str
    blocks: list[dict[str, Any]]
    ephemeral_to: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    edited: bool = False

    def visible_to(self, user_id: str) -> bool:
        return self.ephemeral_to in (None, user_id)


@dataclass
class View:
    view_id: str
    user_id: str
    body: dict[str, Any]
    hash: str = field(default_factory=lambda: uuid.uuid4().hex)

    def as_slack(self) -> dict[str, Any]:
        """The view as Slack returns it (and sends it back in interaction payloads)."""
        return {"id": self.view_id, "team_id": "T0PLAYGROUND", "hash": self.hash, "state": {"values": {}}, **self.body}


@dataclass(frozen=True)
class ReplyTarget:
    """Where a `response_url` posts: the conversation a command or click came from, for whom."""

    channel: str
    user_id: str
    source_ts: str | None = None


@dataclass
class UploadedFile:
    file_id: str
    filename: str
    title: str = ""
    content: bytes = b""


class SlackState:
    """Thread-safe: the Web API, the page and the forwarder all touch it at once."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.version = 0
        self.calls: list[Call] = []
        self.channels: dict[str, list[Message]] = {GENERAL: [], ANALYTICS: []}
        self.homes: dict[str, View] = {}
        self.modals: dict[str, list[View]] = {}
        self.triggers: dict[str, str] = {}
        self.reply_targets: dict[str, ReplyTarget] = {}
        self.files: dict[str, UploadedFile] = {}
        self._counter = itertools.count(1)

    def changed(self) -> None:
        self.version += 1

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._counter):06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08d}"

    def record(self, method: str, args: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(Call(method, args))
            del self.calls[:-MAX_CALLS]

    def calls_to(self, method: str | None) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if method in (None, call.method)]

    def resolve_channel(self, channel: str) -> str:
        """Slack accepts a user id as a channel: it means the app's DM with that user."""
        return dm_channel(channel) if channel in BY_ID else channel

    def post(self, message: Message) -> Message:
        with self.lock:
            message.channel = self.resolve_channel(message.channel)
            history = self.channels.setdefault(message.channel, [])
            history.append(message)
            del history[:-MAX_MESSAGES_PER_CHANNEL]
            self.changed()
        return message

    def bot_message(self, channel: str, text: str, blocks: list[dict[str, Any]], **extra: Any) -> Message:
        return self.post(Message(channel, self.next_ts(), BOT_USER_ID, text, blocks, **extra))

    def find(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            for message in self.channels.get(self.resolve_channel(channel), []):
                if message.ts == ts:
                    return message
        return None

    def remove(self, message: Message) -> None:
        with self.lock:
            self.channels[message.channel].remove(message)
            self.changed()

    def trigger_for(self, user_id: str) -> str:
        trigger = f"{next(self._counter)}.{uuid.uuid4().hex[:12]}"
        with self.lock:
            self.triggers[trigger] = user_id
        return trigger

    def reply_token(self, target: ReplyTarget) -> str:
        token = uuid.uuid4().hex
        with self.lock:
            self.reply_targets[token] = target
        return token

    def view(self, view_id: str) -> View | None:
        with self.lock:
            for stack in self.modals.values():
                for view in stack:
                    if view.view_id == view_id:
                        return view
            return next((home for home in self.homes.values() if home.view_id == view_id), None)

    def view_by_external_id(self, external_id: str) -> View | None:
        with self.lock:
            every = [*self.homes.values(), *(view for stack in self.modals.values() for view in stack)]
            return next((view for view in every if view.body.get("external_id") == external_id), None)

    def close_modals(self, user_id: str, view_id: str | None = None) -> None:
        """Close one modal and those pushed above it, or every modal of the user."""
        with self.lock:
            stack = self.modals.get(user_id, [])
            ids = [view.view_id for view in stack]
            keep = ids.index(view_id) if view_id in ids else 0
            del stack[keep:]
            self.changed()
