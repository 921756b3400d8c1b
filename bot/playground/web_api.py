"""The Slack Web API methods the app calls, answered from the playground's state and recorded.

As Slack does, a call over the published limits (per method tier, per channel for chat.postMessage) is
refused: `RateLimited` carries the Retry-After the server answers 429 with.
"""

from __future__ import annotations

import contextlib
import json
import math
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from bot.playground.interactions import interactive_elements
from bot.playground.state import Message, ReplyTarget, SlackState, UploadedFile, View
from bot.playground.workspace import BOT_ID, BOT_USER_ID, BY_ID, PEOPLE, TEAM_ID, TEAM_NAME, bot_member, dm_channel
from bot.playground.workspace import member as member_of
from bot.slack_pace import RateGate, SlackLimits

Answer = dict[str, Any]
JSON_ARGS = ("blocks", "attachments", "view", "files", "users", "metadata")
PAGE_SIZE = 100
SLACK_LIMITS = SlackLimits(burst=2)  # Slack tolerates short bursts


class RateLimited(Exception):
    """Slack's 429: the call was not made; try again after `retry_after` seconds."""

    def __init__(self, method: str, retry_after: int) -> None:
        super().__init__(f"{method} is rate limited")
        self.retry_after = retry_after


def error(code: str) -> Answer:
    return {"ok": False, "error": code}


def decode_args(args: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded calls carry blocks and views as JSON text; JSON calls carry them as objects."""
    decoded = dict(args)
    for name in JSON_ARGS:
        value = decoded.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                decoded[name] = json.loads(value)
    return decoded


def with_block_ids(blocks: Any) -> list[dict[str, Any]]:
    """Slack names every block and interactive element the app left unnamed."""
    if not isinstance(blocks, list):
        return []
    kept = [block for block in blocks if isinstance(block, dict)]
    for index, block in enumerate(kept):
        block.setdefault("block_id", f"b{index}")
    for position, (_block_id, element) in enumerate(interactive_elements(kept)):
        element.setdefault("action_id", f"a{position}")
    return kept


class WebApi:
    """`answer(method, args)` is one Web API call; `base_url` is where the playground is served."""

    def __init__(
        self, state: SlackState, base_url: str, limits: SlackLimits | None = SLACK_LIMITS, latency_s: float = 0.0
    ) -> None:
        self.state = state
        self.base_url = base_url
        self.metadata: dict[tuple[str, str], Any] = {}  # (channel, ts) -> the message's metadata, as Slack keeps it
        self.gate = RateGate(limits) if limits else None
        self.latency_s = latency_s
        self.methods: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self.auth_test,
            "users.list": self.users_list,
            "users.info": self.users_info,
            "conversations.open": self.conversations_open,
            "chat.postMessage": self.post_message,
            "chat.update": self.update_message,
            "conversations.history": self.history,
            "chat.postEphemeral": self.post_ephemeral,
            "chat.getPermalink": self.permalink,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.getUploadURLExternal": self.upload_url,
            "files.completeUploadExternal": self.complete_upload,
            "files.info": self.file_info,
        }

    def answer(self, method: str, args: dict[str, Any]) -> Answer:
        if self.latency_s:
            time.sleep(self.latency_s)
        wait = self.gate.admit(method, str(args.get("channel") or "")) if self.gate else 0.0
        if wait:
            raise RateLimited(method, math.ceil(wait))
        decoded = decode_args(args)
        self.state.record(method, decoded)
        handler = self.methods.get(method)
        if handler is None:
            return error("unknown_method")
        return handler(decoded)

    def members(self) -> list[dict[str, Any]]:
        return [*(member_of(person, self.base_url) for person in PEOPLE), bot_member(self.base_url)]

    def auth_test(self, _args: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": self.base_url,
            "team": TEAM_NAME,
            "team_id": TEAM_ID,
            "user": "ates",
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def users_list(self, args: dict[str, Any]) -> Answer:
        start = int(args.get("cursor") or 0)
        size = min(int(args.get("limit") or PAGE_SIZE), PAGE_SIZE)
        every = self.members()
        following = start + size
        cursor = str(following) if following < len(every) else ""
        return {"ok": True, "members": every[start:following], "response_metadata": {"next_cursor": cursor}}

    def users_info(self, args: dict[str, Any]) -> Answer:
        found = [m for m in self.members() if m["id"] == args.get("user")]
        return {"ok": True, "user": found[0]} if found else error("user_not_found")

    def conversations_open(self, args: dict[str, Any]) -> Answer:
        users = args.get("users")
        user = users[0] if isinstance(users, list) and users else str(users or "")
        if user not in BY_ID:
            return error("user_not_found")
        return {"ok": True, "channel": {"id": dm_channel(user), "is_im": True, "user": user}}

    def post_message(self, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel") or "")
        if not channel:
            return error("channel_not_found")
        message = self.state.bot_message(channel, str(args.get("text") or ""), with_block_ids(args.get("blocks")))
        self._keep_metadata(message, args)
        return {"ok": True, "channel": message.channel, "ts": message.ts, "message": self._as_slack(message)}

    def _keep_metadata(self, message: Message, args: dict[str, Any]) -> None:
        if isinstance(args.get("metadata"), dict):
            with self.state.lock:
                self.metadata[(message.channel, message.ts)] = args["metadata"]

    def history(self, args: dict[str, Any]) -> Answer:
        """A channel's messages, newest first, between `oldest` and `latest`; metadata with include_all_metadata."""
        channel = self.state.resolve_channel(str(args.get("channel") or ""))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        inclusive = str(args.get("inclusive")).lower() in ("1", "true")
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        with self.state.lock:
            held = [m for m in self.state.channels.get(channel, []) if m.ephemeral_to is None]
            found = []
            for message in reversed(held):
                at = float(message.ts)
                if (oldest <= at <= latest) if inclusive else (oldest < at < latest):
                    slack = self._as_slack(message)
                    if with_metadata and (channel, message.ts) in self.metadata:
                        slack["metadata"] = self.metadata[(channel, message.ts)]
                    found.append(slack)
        start, size = int(args.get("cursor") or 0), int(args.get("limit") or PAGE_SIZE)
        cursor = str(start + size) if start + size < len(found) else ""
        page = found[start : start + size]
        return {"ok": True, "messages": page, "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}

    def update_message(self, args: dict[str, Any]) -> Answer:
        with self.state.lock:
            message = self.state.find(str(args.get("channel") or ""), str(args.get("ts") or ""))
            if message is None:
                return error("message_not_found")
            message.text = str(args.get("text") or message.text)
            if "blocks" in args:
                message.blocks = with_block_ids(args.get("blocks"))
            message.edited = True
            self.state.changed()
        self._keep_metadata(message, args)
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}

    def post_ephemeral(self, args: dict[str, Any]) -> Answer:
        user = str(args.get("user") or "")
        if user not in BY_ID:
            return error("user_not_in_channel")
        text, blocks = str(args.get("text") or ""), with_block_ids(args.get("blocks"))
        message = self.state.bot_message(str(args.get("channel") or ""), text, blocks, ephemeral_to=user)
        return {"ok": True, "message_ts": message.ts}

    def permalink(self, args: dict[str, Any]) -> Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("message_ts") or "")
        if self.state.find(channel, ts) is None:
            return error("message_not_found")
        return {"ok": True, "channel": channel, "permalink": f"{self.base_url}#{channel}/{ts}"}

    def views_open(self, args: dict[str, Any]) -> Answer:
        user = self.state.triggers.pop(str(args.get("trigger_id") or ""), None)
        if user is None:
            return error("invalid_trigger_id")
        return self._push(user, args)

    def views_push(self, args: dict[str, Any]) -> Answer:
        user = self.state.triggers.get(str(args.get("trigger_id") or ""))
        if user is None or not self.state.modals.get(user):
            return error("invalid_trigger_id")
        return self._push(user, args)

    def _push(self, user: str, args: dict[str, Any]) -> Answer:
        body = args.get("view")
        if not isinstance(body, dict) or body.get("type") != "modal":
            return error("invalid_arguments")
        body["blocks"] = with_block_ids(body.get("blocks"))
        view = View(self.state.new_id("V"), user, body)
        with self.state.lock:
            self.state.modals.setdefault(user, []).append(view)
            self.state.changed()
        return {"ok": True, "view": view.as_slack()}

    def views_update(self, args: dict[str, Any]) -> Answer:
        view_id, external_id, body = args.get("view_id"), args.get("external_id"), args.get("view")
        view = self.state.view(str(view_id)) if view_id else self.state.view_by_external_id(str(external_id or ""))
        if view is None:
            return error("not_found")
        if not isinstance(body, dict):
            return error("invalid_arguments")
        if args.get("hash") and args["hash"] != view.hash:
            return error("hash_conflict")
        body["blocks"] = with_block_ids(body.get("blocks"))
        with self.state.lock:
            view.body, view.hash = body, self.state.new_id("h")
            self.state.changed()
        return {"ok": True, "view": view.as_slack()}

    def views_publish(self, args: dict[str, Any]) -> Answer:
        user, body = str(args.get("user_id") or ""), args.get("view")
        if user not in BY_ID:
            return error("user_not_found")
        if not isinstance(body, dict) or body.get("type") != "home":
            return error("invalid_arguments")
        body["blocks"] = with_block_ids(body.get("blocks"))
        with self.state.lock:
            home = self.state.homes.get(user) or View(self.state.new_id("VH"), user, body)
            home.body, home.hash = body, self.state.new_id("h")
            self.state.homes[user] = home
            self.state.changed()
        return {"ok": True, "view": home.as_slack()}

    def upload_url(self, args: dict[str, Any]) -> Answer:
        file_id = self.state.new_id("F")
        self.state.files[file_id] = UploadedFile(file_id, str(args.get("filename") or "file"))
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}playground/upload/{file_id}"}

    def complete_upload(self, args: dict[str, Any]) -> Answer:
        listed = args.get("files")
        wanted: list[Any] = listed if isinstance(listed, list) else []
        found = [self.state.files.get(str(f.get("id"))) for f in wanted if isinstance(f, dict)]
        uploaded = [f for f in found if f is not None]
        if not uploaded or len(uploaded) != len(wanted):
            return error("file_not_found")
        for entry, file in zip(wanted, uploaded, strict=True):
            file.title = str(entry.get("title") or file.filename)
        described = [self._describe(file) for file in uploaded]
        channel = args.get("channel_id") or args.get("channels")
        if channel:
            comment = str(args.get("initial_comment") or "")
            self.state.bot_message(str(channel), comment, [], files=described)
        return {"ok": True, "files": described}

    def file_info(self, args: dict[str, Any]) -> Answer:
        """A file is processed once its bytes arrived (Slack takes a moment more: the app waits for the type)."""
        file = self.state.files.get(str(args.get("file")))
        if file is None:
            return error("file_not_found")
        mimetype = (mimetypes.guess_type(file.filename)[0] or "application/octet-stream") if file.content else ""
        return {"ok": True, "file": {**self._describe(file), "mimetype": mimetype}}

    def _describe(self, file: UploadedFile) -> dict[str, Any]:
        url = f"{self.base_url}playground/files/{file.file_id}"
        is_image = file.filename.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg"))
        size = len(file.content)
        return {
            "id": file.file_id,
            "name": file.filename,
            "title": file.title,
            "url_private": url,
            "size": size,
            "is_image": is_image,
        }

    def _as_slack(self, message: Message) -> dict[str, Any]:
        return {
            "type": "message",
            "ts": message.ts,
            "text": message.text,
            "blocks": message.blocks,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
        }


def respond(state: SlackState, target: ReplyTarget, body: dict[str, Any]) -> Answer:
    """A post to a `response_url`: a new reply (ephemeral unless in_channel), or a change to the original."""
    original = state.find(target.channel, target.source_ts) if target.source_ts else None
    text, blocks = str(body.get("text") or ""), with_block_ids(body.get("blocks"))
    if original is not None and _truthy(body.get("delete_original")):
        state.remove(original)
        return {"ok": True}
    if original is not None and _truthy(body.get("replace_original")):
        with state.lock:
            original.text, original.blocks, original.edited = text, blocks, True
            state.changed()
        return {"ok": True}
    visible = None if body.get("response_type") == "in_channel" else target.user_id
    state.bot_message(target.channel, text, blocks, ephemeral_to=visible)
    return {"ok": True}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
