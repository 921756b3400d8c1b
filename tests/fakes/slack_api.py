"""A fake Slack: records the Web API calls and `response_url` replies the app makes, and answers them.

Like Slack, it refuses calls over the published limits (per method tier, per channel for chat.postMessage)
with a 429 and a Retry-After, answers after `latency_s`, and keeps HTTP/1.1 connections open.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.slack_pace import RateGate, SlackLimits
from tests.fakes.slack_messages import MessageStore, decoded

# Slack tolerates bursts: one more call than the app's own pace allows absorbs network jitter.
FAKE_LIMITS = SlackLimits(burst=2)


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    path: str = ""
    at: float = field(default_factory=time.monotonic)  # when the fake received it


def member(user_id: str, name: str, **extra: Any) -> dict[str, Any]:
    """A Slack member as `users.list` and `users.info` describe one."""
    return {
        "id": user_id,
        "name": name.lower(),
        "real_name": name,
        "deleted": False,
        "is_bot": False,
        "profile": {
            "display_name": name,
            "real_name": name,
            "email": f"{name.lower()}@example.com",
            "image_192": f"https://avatars.example/{user_id}.png",
        },
        **extra,
    }


@dataclass
class FakeSlack:
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    calls: list[Call] = field(default_factory=list)
    rate_limit_next: dict[str, int] = field(default_factory=dict)  # method -> how many next calls get a 429
    retry_after: int = 1  # the Retry-After of those 429s
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> the bytes POSTed to its upload URL
    # As Slack does, a file is processed for a moment after its upload: files.info answers it without a mimetype
    # this many times, and an image block cannot show it until files.info has named its type.
    processing_reads: int = 0
    _processed: set[str] = field(default_factory=set)
    _reads: dict[str, int] = field(default_factory=dict)
    fail_next: dict[str, str] = field(default_factory=dict)  # method -> the Slack error its next call gets
    # Messages posted and updated, with their metadata (conversations.history reads them back).
    store: MessageStore = field(default_factory=MessageStore)
    # method -> how many of its next calls Slack carries out and then drops the connection without answering
    drop_after_accepting: dict[str, int] = field(default_factory=dict)
    limits: SlackLimits | None = FAKE_LIMITS  # None: no limits enforced
    latency_s: float = 0.0
    connections: int = 0  # TCP connections accepted
    refused: list[Call] = field(default_factory=list)  # calls answered 429 by the limits
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 0

    def __post_init__(self) -> None:
        self.gate = RateGate(self.limits) if self.limits else None

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Slack's
            timeout = 60  # an idle kept connection is closed after this

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake.connections += 1

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if self.path.startswith("/upload/"):
                    fake.receive_upload(self.path.removeprefix("/upload/"), self.rfile.read(length))
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                raw = self.rfile.read(length).decode()
                args = json.loads(raw) if "json" in (self.headers.get("Content-Type") or "") else dict(parse_qsl(raw))
                self.reply(args)

            def do_GET(self) -> None:  # slack_sdk reads conversations.history with GET
                url = urlsplit(self.path)
                self.path = url.path
                self.reply(dict(parse_qsl(url.query)))

            def reply(self, args: dict[str, Any]) -> None:
                if fake.latency_s:
                    time.sleep(fake.latency_s)
                status, headers, reply = fake.answer(self.path, args)
                if fake.dropped(self.path):
                    self.close_connection = True  # carried out, but the caller never hears so
                    return
                body = json.dumps(reply).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.url}/response/{name}"

    def answer(self, path: str, args: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url"
        with self._lock:
            if self.rate_limit_next.get(method, 0) > 0:
                self.rate_limit_next[method] -= 1
                self.refused.append(Call(method, args, path))
                return 429, {"Retry-After": str(self.retry_after)}, {"ok": False, "error": "ratelimited"}
            wait = self.gate.admit(method, args.get("channel")) if self.gate and method != "response_url" else 0.0
            if wait:
                self.refused.append(Call(method, args, path))
                return 429, {"Retry-After": str(math.ceil(wait))}, {"ok": False, "error": "ratelimited"}
            if method in self.fail_next:
                return 200, {}, {"ok": False, "error": self.fail_next.pop(method)}
            self.calls.append(Call(method, args, path))
            self._ts += 1
            ts = f"{int(time.time())}.{self._ts:06d}"
        handler = self._answers().get(method)
        return 200, {}, handler(args, ts) if handler else {"ok": True}

    def _answers(self) -> dict[str, Callable[[dict[str, Any], str], dict[str, Any]]]:
        return {
            "auth.test": lambda a, ts: {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"},
            "users.list": self._users_list,
            "users.info": self._users_info,
            "conversations.open": lambda a, ts: {"ok": True, "channel": {"id": "D" + str(a.get("users"))}},
            "chat.postMessage": self._post,
            "chat.update": self.store.update,
            "conversations.history": self.store.history,
            "chat.postEphemeral": lambda a, ts: {"ok": True, "message_ts": ts},
            "chat.getPermalink": self._permalink,
            "views.open": lambda a, ts: {"ok": True, "view": {**a.get("view", {}), "id": "V" + ts.replace(".", "")}},
            "views.update": lambda a, ts: {"ok": True, "view": {**a.get("view", {}), "id": a.get("view_id")}},
            "views.publish": lambda a, ts: {"ok": True, "view": {**a.get("view", {}), "id": "VHOME"}},
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.info": self._file_info,
        }

    def dropped(self, path: str) -> bool:
        """Whether this call's answer is lost (the call was carried out all the same)."""
        method = path.removeprefix("/api/")
        with self._lock:
            if self.drop_after_accepting.get(method, 0) <= 0:
                return False
            self.drop_after_accepting[method] -= 1
            return True

    def _post(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        """As Slack does, an image block may show only a file that was uploaded and processed (`slack_file`)."""
        blocks = args.get("blocks") or []
        shown = [b["slack_file"]["id"] for b in decoded(blocks) if b.get("type") == "image" and "slack_file" in b]
        with self._lock:
            if any(file_id not in self._processed for file_id in shown):
                return {"ok": False, "error": "invalid_blocks", "errors": ["invalid slack file"]}
        return self.store.post(args, ts)

    def _file_info(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        file_id = str(args.get("file"))
        with self._lock:
            if file_id not in self.uploads:
                return {"ok": False, "error": "file_not_found"}
            self._reads[file_id] = self._reads.get(file_id, 0) + 1
            if self._reads[file_id] > self.processing_reads:
                self._processed.add(file_id)
            mimetype = "image/png" if file_id in self._processed else ""
        return {"ok": True, "file": {"id": file_id, "mimetype": mimetype}}

    def _permalink(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        channel, ts = args.get("channel"), str(args.get("message_ts"))
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://ates.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _upload_url(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        file_id = "F" + ts.replace(".", "")
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}

    def receive_upload(self, file_id: str, data: bytes) -> None:
        with self._lock:
            self.uploads[file_id] = data

    def _complete_upload(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        files = json.loads(args["files"])
        with self._lock:
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
        if missing:
            return {"ok": False, "error": "file_not_found"}
        shared = [args["channel_id"]] if args.get("channel_id") else []  # without one: a private file, no message
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title"), "channels": shared} for f in files]}

    def _users_list(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        start = int(args.get("cursor") or 0)
        page = self.members[start : start + self.page_size]
        following = start + self.page_size
        cursor = str(following) if following < len(self.members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _users_info(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        for m in self.members:
            if m["id"] == args.get("user"):
                return {"ok": True, "user": m}
        return {"ok": False, "error": "user_not_found"}

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 15.0, where: Callable[[Call], bool] = lambda c: True
    ) -> list[Call]:
        """The calls to `method` matching `where`, once there are `count` of them (or fail after `timeout`)."""
        return wait_for_calls(self.calls_to, method, count, timeout, where)


def wait_for_calls(
    calls_to: Callable[[str], list[Call]], method: str, count: int, timeout: float, where: Callable[[Call], bool]
) -> list[Call]:
    """Poll `calls_to(method)` until `count` calls match `where` (or fail after `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in calls_to(method) if where(c)]
        if len(found) >= count:
            return found
        time.sleep(0.03)
    raise AssertionError(f"expected {count} {method} call(s); got {[c.args for c in calls_to(method)]}")
