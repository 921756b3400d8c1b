"""The Bolt app served in this process over real HTTP, with every consumer group as threads, on PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway import build_app, wsgi
from bot.home import REFRESH_THREAD
from bot.notifier import SEND_THREAD
from bot.slack_client import make_client
from bot.users_sync import sync_workspace
from domains.kernel.settings import Settings
from jobs.runtime import Runtime
from tests.e2e.harness import eventually
from tests.fakes.slack_api import FAKE_LIMITS, Call, FakeSlack, member
from tests.fakes.slack_requests import SlackSender

T = TypeVar("T")
SIGNING_SECRET = "in-process-signing-secret"
WORKERS = ("U1", "U2")
MEMBERS = [member("UADMIN", "Ada"), member("U1", "Alice"), member("U2", "Bob")]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.args.get("blocks") or call.args.get("view", {}).get("blocks") or []
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks)


def buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    """The elements with this action id, in actions blocks and as a section's accessory."""
    found = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id]
    return found + [b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == action_id]


@dataclass
class SlackApp:
    slack: FakeSlack
    sender: SlackSender
    runtime: Runtime

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.runtime.sessions

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.sessions() as session:
            return session.execute(text(sql), params).scalar()

    def events(self, outbox: str, name: str) -> list[dict[str, Any]]:
        """The data of every `name` event a domain's outbox holds, oldest first."""
        with self.sessions() as session:
            bodies = session.execute(text(f"SELECT body FROM {outbox}_outbox ORDER BY id")).scalars()
            envelopes = [json.loads(body) for body in bodies]
        return [e["data"] for e in envelopes if e["event_name"] == name]

    def replies(self, name: str) -> list[Call]:
        """What the app sent to the response_url named `name`."""
        return [c for c in self.slack.calls_to("response_url") if c.path == f"/response/{name}"]


@contextmanager
def serve(slack: FakeSlack, database_url: str) -> Iterator[SlackApp]:
    """Run the app and its consumer groups until the block ends; the workspace's members are synced first."""
    settings = Settings(
        database_url=database_url,
        slack_api_url=slack.api_url,
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token="xoxb-in-process",
        ates_admin_ids="UADMIN",
        ates_slack_burst=FAKE_LIMITS.burst,  # as many back to back as the fake (and Slack) tolerates
    )
    runtime = Runtime.build(settings)
    client = make_client(settings)
    stop = threading.Event()
    workers = runtime.start_embedded_workers(client, stop)
    app = build_app(runtime.services(), client)
    server = make_server("127.0.0.1", 0, wsgi(app), server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sender = SlackSender(f"http://127.0.0.1:{server.server_port}/slack/events", SIGNING_SECRET)
    running = SlackApp(slack, sender, runtime)
    try:
        sync_workspace(client, runtime.commands(), settings.admin_ids)
        eventually(lambda: running.scalar("SELECT count(*) FROM tasks_members WHERE role = 'worker'"), lambda n: n == 2)
        yield running
    finally:
        server.shutdown()
        server.server_close()
        app.listener_runner.listener_executor.shutdown(wait=True)  # listeners still at work after their ack
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
        for thread in threading.enumerate():
            if thread.name in (REFRESH_THREAD, SEND_THREAD):
                thread.join(timeout=10)
        runtime.engine.dispose()
