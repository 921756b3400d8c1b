"""The gateway: the Bolt app over HTTP at /slack/events (or Socket Mode when SLACK_APP_TOKEN is set).

With no DATABASE_URL and REDIS_URL it also runs every consumer and the relay in this process,
on a SQLite file under ./var/ and an in-process bus (the embedded runtime).
With no SLACK_BOT_TOKEN it also serves the local Slack playground, which stands in for Slack.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.gateway import build_app, wsgi
from bot.playground import local as playground
from bot.slack_client import make_client
from bot.users_sync import sync_workspace
from domains.kernel.redis_bus import RedisBus, warn_unless_persistent
from jobs.daily_close import close_today_now, describe
from jobs.observability import Readiness, serve_probes, watch_backlog, with_probes
from jobs.process import freeze_start_up_objects, settings_or_exit, setup_logging, stop_on_signals
from jobs.runtime import Runtime

log = logging.getLogger("ates")
# A request's thread only checks, queues and acks (work that waits on Slack runs in Bolt's lazy listeners):
# a few threads keep up, where more only queue for the interpreter lock and stretch the slowest answers.
REQUEST_THREADS = 6
STOP_GRACE_S = 1.0  # on SIGTERM, how long answers already being written may take before connections close


def main() -> None:
    settings = settings_or_exit()
    setup_logging(settings)
    stop = stop_on_signals()
    local = playground.wanted(settings)
    if local:
        settings = playground.playground_settings(settings)
    runtime = Runtime.build(settings, answering=not local)
    if isinstance(runtime.bus, RedisBus):
        warn_unless_persistent(runtime.bus.client)
    client = make_client(settings)
    if settings.embedded:
        runtime.migrate()
        runtime.start_embedded_workers(client, stop)
        watch_backlog(runtime)  # one process runs everything, so it reports everything
        log.info("embedded runtime: SQLite at %s, in-process bus", settings.sqlalchemy_url)
    if not settings.ates_analytics_channel:
        log.info("ATES_ANALYTICS_CHANNEL is not set: no daily analytics post")
    app = build_app(runtime.services(), client)
    freeze_start_up_objects()
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        _start_user_sync(runtime, client, local=False)
        serve_probes(runtime)  # no HTTP port of its own in Socket Mode: /metrics on ATES_METRICS_PORT
        SocketModeHandler(app, settings.slack_app_token).connect()  # type: ignore[no-untyped-call]
        log.info("connected to Slack in Socket Mode")
        stop.wait()
        return
    web = wsgi(app)
    if local:
        close_now = partial(_close_now, runtime)
        web = playground.build_playground(settings, runtime.sessions, close_day=close_now).mount(web)
    web = with_probes(web, Readiness(runtime))
    # The playground lets whoever reaches it act as anyone, so it listens on this machine only.
    server = _bind(web, "127.0.0.1" if local else "0.0.0.0", settings.port)
    _start_user_sync(runtime, client, local=local)
    log.info("serving Slack requests at http://127.0.0.1:%d/slack/events", settings.port)
    if local:
        print(f"\n  aTES playground: open http://127.0.0.1:{settings.port}/ in your browser\n", flush=True)
    _run(server, stop)


def _close_now(runtime: Runtime) -> str:
    """The playground's "close the day now": today closes at once (its analytics post follows the close's event)."""
    closed = close_today_now(runtime.sessions, runtime.prices, runtime.settings.timezone)
    return "; ".join(describe(day) for day in closed) or "Nothing to close: today is already closed."


def _start_user_sync(runtime: Runtime, client: WebClient, *, local: bool) -> None:
    threading.Thread(target=_sync_users, args=(runtime, client, local), name="user-sync", daemon=True).start()


def _sync_users(runtime: Runtime, client: WebClient, local: bool) -> None:
    try:
        if local:
            playground.sync_and_seed(client, runtime.commands(), runtime.sessions, runtime.settings.admin_ids)
        else:
            sync_workspace(client, runtime.commands(), runtime.settings.admin_ids)
    except Exception:
        log.exception("could not sync the workspace's members; they will be added on first contact")


def _bind(web: Any, host: str, port: int) -> Any:
    """The waitress server, listening already (so requests that arrive before it runs just wait)."""
    from waitress.server import create_server

    # With few request threads a short queue is normal; waitress would log a warning for every queued request.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    return create_server(web, host=host, port=port, threads=REQUEST_THREADS, connection_limit=500)


def _run(server: Any, stop: threading.Event) -> None:
    threading.Thread(target=_close_when_stopped, args=(server, stop), daemon=True).start()
    try:
        server.run()
    except (OSError, ValueError):
        if not stop.is_set():
            raise


def _close_when_stopped(server: Any, stop: threading.Event) -> None:
    """Stop listening, let answers in flight go, then close kept connections (waitress serves until none is left)."""
    stop.wait()
    server.close()
    time.sleep(STOP_GRACE_S)
    for channel in list(server.active_channels.values()):
        channel.close()


if __name__ == "__main__":
    main()
