"""The gateway: the Bolt app over HTTP at /slack/events (or Socket Mode when SLACK_APP_TOKEN is set).

With no DATABASE_URL and REDIS_URL it also runs every consumer and the relay in this process,
on a SQLite file under ./var/ and an in-process bus (the embedded runtime).
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_sdk import WebClient

from bot.gateway import build_app, wsgi
from bot.services import Services
from bot.slack_client import make_client
from bot.users_sync import sync_workspace
from jobs.process import settings_or_exit, setup_logging, stop_on_signals
from jobs.runtime import Runtime

log = logging.getLogger("ates")


def main() -> None:
    settings = settings_or_exit()
    setup_logging()
    stop = stop_on_signals()
    runtime = Runtime.build(settings)
    client = make_client(settings)
    if settings.embedded:
        runtime.migrate()
        runtime.start_embedded_workers(client, stop)
        log.info("embedded runtime: SQLite at %s, in-process bus", settings.sqlalchemy_url)
    app = build_app(Services(settings, runtime.sessions, once=runtime.once), client)
    threading.Thread(target=_sync_users, args=(runtime, client), name="user-sync", daemon=True).start()
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app, settings.slack_app_token).connect()  # type: ignore[no-untyped-call]
        log.info("connected to Slack in Socket Mode")
        stop.wait()
        return
    _serve(app, settings.port, stop)


def _sync_users(runtime: Runtime, client: WebClient) -> None:
    try:
        sync_workspace(client, runtime.sessions, runtime.settings.admin_ids)
    except Exception:
        log.exception("could not sync the workspace's members; they will be added on first contact")


def _serve(app: App, port: int, stop: threading.Event) -> None:
    from waitress.server import create_server

    server = create_server(wsgi(app), host="0.0.0.0", port=port, threads=16, connection_limit=500)
    log.info("serving Slack requests at http://127.0.0.1:%d/slack/events", port)
    threading.Thread(target=lambda: (stop.wait(), server.close()), daemon=True).start()
    try:
        server.run()
    except (OSError, ValueError):
        if not stop.is_set():
            raise


if __name__ == "__main__":
    main()
