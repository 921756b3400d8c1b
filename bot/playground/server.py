"""The playground's WSGI app: the page, its JSON endpoints and the fake Slack Web API the bot calls."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from bot.playground.emoji_names import shortcodes
from bot.playground.forward import Forwarder
from bot.playground.interactions import BadInteraction
from bot.playground.manifest import AppManifest, load_manifest, message_text
from bot.playground.snapshot import snapshot
from bot.playground.state import Message, SlackState
from bot.playground.web_api import RateLimited, WebApi, error, respond
from bot.playground.workspace import BY_ID, avatar_of

log = logging.getLogger(__name__)
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Reply = tuple[str, str, bytes]
STATIC_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
MAX_BODY = 10 * 1024 * 1024


class HttpError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(data: Any, status: str = "200 OK") -> Reply:
    return status, "application/json", json.dumps(data).encode()


def _values(body: dict[str, Any]) -> dict[str, Any]:
    """What the page collected from a view's inputs: {block_id: {action_id: raw value}}."""
    values = body.get("values")
    return values if isinstance(values, dict) else {}


@dataclass
class Playground:
    """A local Slack: `close_day` runs the daily close; `roles` tells the page who holds which aTES role.

    `instance` names this run: the page sees it change when the playground restarts (its state is then new).
    """

    base_url: str
    events_url: str
    signing_secret: str
    close_day: Callable[[], str] | None = None
    roles: Callable[[], dict[str, str]] = dict
    manifest: AppManifest = field(default_factory=load_manifest)
    state: SlackState = field(default_factory=SlackState)
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        self.api = WebApi(self.state, self.base_url)
        self.forwarder = Forwarder(self.state, self.events_url, self.signing_secret, self.base_url)

    def mount(self, app: Wsgi) -> Wsgi:
        """`app` with the playground in front of it: `/` and `/playground/...` here, the rest to `app`."""

        def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = str(environ.get("PATH_INFO") or "/")
            if path != "/" and not path.startswith("/playground/"):
                return app(environ, start_response)
            try:
                status, content_type, body = self.handle(environ, path)
                limited = []
            except RateLimited as refusal:
                status, content_type, body = _json(error("ratelimited"), "429 Too Many Requests")
                limited = [("Retry-After", str(refusal.retry_after))]
            start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *limited])
            return [body]

        return application

    def handle(self, environ: dict[str, Any], path: str) -> Reply:
        try:
            return self.route(environ, path)
        except HttpError as refusal:
            return _json({"ok": False, "error": str(refusal)}, refusal.status)
        except BadInteraction as refusal:
            return _json({"ok": False, "error": str(refusal)}, "409 Conflict")

    def route(self, environ: dict[str, Any], path: str) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        query = dict(parse_qsl(str(environ.get("QUERY_STRING") or "")))
        if path.startswith("/playground/api/"):
            args = {**query, **self._body_args(environ)}
            return _json(self.api.answer(path.removeprefix("/playground/api/"), args))
        if method == "GET":
            return self.get(path, query)
        if path.startswith("/playground/respond/"):
            return self.response_url(path.removeprefix("/playground/respond/"), self._body_args(environ))
        if path.startswith("/playground/upload/"):
            return self.upload(path.removeprefix("/playground/upload/"), self._read(environ))
        return self.post(path, self._json_body(environ))

    def get(self, path: str, query: dict[str, str]) -> Reply:
        if path in ("/", "/playground/"):
            return self.static("index.html")
        if path.startswith("/playground/static/"):
            return self.static(path.removeprefix("/playground/static/"))
        if path.startswith("/playground/avatars/"):
            svg = avatar_of(path.removeprefix("/playground/avatars/").removesuffix(".svg"))
            if svg is None:
                raise HttpError("404 Not Found", "no such avatar")
            return "200 OK", "image/svg+xml", svg.encode()
        if path.startswith("/playground/files/"):
            file = self.state.files.get(path.removeprefix("/playground/files/"))
            if file is None:
                raise HttpError("404 Not Found", "no such file")
            return "200 OK", STATIC_TYPES.get(file.filename[-4:].lower(), "application/octet-stream"), file.content
        if path == "/playground/state":
            return self.page_state(query)
        if path == "/playground/emoji.json":
            return _json(shortcodes())
        if path == "/playground/calls":
            calls = self.state.calls_to(query.get("method"))
            return _json({"ok": True, "calls": [{"method": c.method, "args": c.args} for c in calls]})
        raise HttpError("404 Not Found", f"nothing at {path}")

    def page_state(self, query: dict[str, str]) -> Reply:
        user = self._user(query.get("user"))
        if query.get("instance") == self.instance and query.get("since") == str(self.state.version):
            return _json({"instance": self.instance, "version": self.state.version, "unchanged": True})
        seen = snapshot(self.state, user, self.base_url, self.roles())
        seen.update(self.manifest.for_page(), instance=self.instance, can_close_day=self.close_day is not None)
        return _json(seen)

    def post(self, path: str, body: dict[str, Any]) -> Reply:
        user = self._user(body.get("user"))
        if path == "/playground/send":
            return self.send(user, str(body.get("channel") or ""), str(body.get("text") or ""))
        if path == "/playground/action":
            return self.action(user, body)
        if path == "/playground/shortcut":
            return self.shortcut(user, body)
        if path == "/playground/submit":
            return _json({"ok": True, **self.forwarder.submit(user, str(body.get("view_id")), _values(body))})
        if path == "/playground/close-modal":
            self.state.close_modals(user, str(body.get("view_id")))
            return _json({"ok": True})
        if path == "/playground/home":
            # Slack does not tell a person whether the app handled app_home_opened; neither does the page.
            return _json({"ok": True, "status": self.forwarder.open_home(user).status})
        if path == "/playground/close-day":
            return self.run_close_day()
        raise HttpError("404 Not Found", f"nothing at {path}")

    def send(self, user: str, channel: str, text: str) -> Reply:
        """A line typed in a conversation: a slash command goes to the app, anything else is just said."""
        if not channel or not text.strip():
            raise HttpError("400 Bad Request", "say something in a conversation")
        if text.startswith("/"):
            name, _, rest = text.partition(" ")
            command = self.manifest.command(name)
            if command is None:  # Slack's client refuses it: the app never hears of it
                raise HttpError("400 Bad Request", f"{name} is not a valid command")
            reply = self.forwarder.command(user, channel, command, rest)
            return _json({"ok": reply.status == 200, "status": reply.status})
        self.state.post(Message(channel, self.state.next_ts(), user, message_text(text.strip()), []))
        return _json({"ok": True})

    def shortcut(self, user: str, body: dict[str, Any]) -> Reply:
        """A shortcut chosen in the ⚡ menu (global) or in a message's "More actions" (message)."""
        shortcut = self.manifest.shortcut(str(body.get("callback_id")))
        if shortcut is None:
            raise HttpError("404 Not Found", "the app has no such shortcut")
        if shortcut.kind == "message":
            reply = self.forwarder.message_shortcut(user, shortcut, str(body.get("channel")), str(body.get("ts")))
        else:
            reply = self.forwarder.global_shortcut(user, shortcut)
        return _json({"ok": reply.status == 200, "status": reply.status})

    def action(self, user: str, body: dict[str, Any]) -> Reply:
        block_id, action_id, chosen = str(body.get("block_id")), str(body.get("action_id")), body.get("value")
        if body.get("view_id"):
            reply = self.forwarder.click_in_view(user, str(body["view_id"]), block_id, action_id, chosen, _values(body))
        else:
            channel, ts = str(body.get("channel")), str(body.get("ts"))
            reply = self.forwarder.click_in_message(user, channel, ts, block_id, action_id, chosen)
        return _json({"ok": reply.status == 200, "status": reply.status})

    def run_close_day(self) -> Reply:
        if self.close_day is None:
            raise HttpError("501 Not Implemented", "the daily close is not wired to the playground")
        try:
            summary = self.close_day()
        except Exception:
            log.exception("the daily close failed")
            raise HttpError("500 Internal Server Error", "the daily close failed; see the app's log") from None
        return _json({"ok": True, "summary": summary})

    def response_url(self, token: str, body: dict[str, Any]) -> Reply:
        target = self.state.reply_targets.get(token)
        self.state.record("response_url", body)
        if target is None:
            raise HttpError("404 Not Found", "no such response_url")
        return _json(respond(self.state, target, body))

    def upload(self, file_id: str, content: bytes) -> Reply:
        file = self.state.files.get(file_id)
        if file is None:
            raise HttpError("404 Not Found", "no such upload")
        file.content = content
        return "200 OK", "text/plain", f"OK - {len(content)}".encode()

    def static(self, name: str) -> Reply:
        if "/" in name or name.startswith(".") or name[name.rfind(".") :] not in STATIC_TYPES:
            raise HttpError("404 Not Found", "no such file")
        try:
            content = resources.files("bot.playground").joinpath("static", name).read_bytes()
        except FileNotFoundError:
            raise HttpError("404 Not Found", "no such file") from None
        return "200 OK", STATIC_TYPES[name[name.rfind(".") :]], content

    def _user(self, user: Any) -> str:
        if user not in BY_ID:
            raise HttpError("400 Bad Request", f"unknown user {user!r}; pick one of {', '.join(BY_ID)}")
        return str(user)

    def _read(self, environ: dict[str, Any]) -> bytes:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            raise HttpError("413 Payload Too Large", "too large for the playground")
        return bytes(environ["wsgi.input"].read(length)) if length else b""

    def _json_body(self, environ: dict[str, Any]) -> dict[str, Any]:
        try:
            body = json.loads(self._read(environ) or b"{}")
        except ValueError:
            raise HttpError("400 Bad Request", "the body is not JSON") from None
        if not isinstance(body, dict):
            raise HttpError("400 Bad Request", "the body is not a JSON object")
        return body

    def _body_args(self, environ: dict[str, Any]) -> dict[str, Any]:
        raw = self._read(environ).decode(errors="replace")
        if "json" in str(environ.get("CONTENT_TYPE") or ""):
            try:
                decoded = json.loads(raw or "{}")
            except ValueError:
                raise HttpError("400 Bad Request", "the body is not JSON") from None
            return decoded if isinstance(decoded, dict) else {}
        return dict(parse_qsl(raw))
