"""What Prometheus and a platform's health checks read from every process: /metrics, /healthz and /readyz.

The gateway answers them on its own HTTP port (next to /slack/events). Every other process answers them on
ATES_METRICS_PORT when it is set (the Procfile gives each process honcho's $PORT, which differs per process
and per instance). The backlog (pending, lag, dead letters, outbox rows) and the last close are read from
Redis and the database at scrape time, by the relay and by the embedded gateway only, so that a scrape of a
busy consumer costs one counter dump.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from prometheus_client import REGISTRY, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.tables import ClosedCycle
from domains.kernel.metrics import BacklogCollector
from domains.kernel.redis_bus import RedisBus
from jobs.migrations import alembic_config
from jobs.runtime import OUTBOXES, Runtime

log = logging.getLogger(__name__)
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
PROBE_THREADS = 2


class Readiness:
    """Ready when the database answers and is migrated to the code's head, and Redis (when used) answers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @cached_property
    def head(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.runtime.settings.sqlalchemy_url)).get_current_head()

    def problems(self) -> list[str]:
        found = []
        try:
            with self.runtime.engine.connect() as connection:
                revision = MigrationContext.configure(connection).get_current_revision()
            if revision != self.head:
                found.append(f"database: migrated to {revision}, the code needs {self.head} (run `ates migrate`)")
        except Exception as error:
            found.append(f"database: {type(error).__name__}: {str(error)[:200]}")
        if isinstance(self.runtime.bus, RedisBus):
            try:
                self.runtime.bus.client.ping()
            except redis.RedisError as error:
                found.append(f"redis: {type(error).__name__}: {str(error)[:200]}")
        return found


def with_probes(web: WSGIApp | None, readiness: Readiness) -> WSGIApp:
    """`web`, with /metrics, /healthz and /readyz answered in front of it (404 for anything else without it)."""
    metrics = make_wsgi_app()

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/metrics":
            answer: Iterable[bytes] = metrics(environ, start_response)
            return answer
        if path == "/healthz":
            return _text(start_response, "200 OK", "ok")
        if path == "/readyz":
            problems = readiness.problems()
            status = "503 Service Unavailable" if problems else "200 OK"
            return _text(start_response, status, "\n".join(problems) or "ready")
        if web is None:
            return _text(start_response, "404 Not Found", "not found: try /metrics, /healthz or /readyz")
        return web(environ, start_response)

    return application


def _text(start_response: Any, status: str, body: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [body.encode() + b"\n"]


def serve_probes(runtime: Runtime, *, backlog: bool = False) -> None:
    """Answer /metrics, /healthz and /readyz on ATES_METRICS_PORT, in the background (nothing when it is unset)."""
    from waitress.server import create_server

    if backlog:
        watch_backlog(runtime)
    port = runtime.settings.ates_metrics_port
    if port is None:
        log.info("ATES_METRICS_PORT is not set: no /metrics from this process")
        return
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a scrape waiting behind another is normal
    try:
        server = create_server(with_probes(None, Readiness(runtime)), host="0.0.0.0", port=port, threads=PROBE_THREADS)
    except OSError as error:  # two processes on one host were given the same port: say which, and stop
        sys.exit(f"aTES: bad setting ATES_METRICS_PORT: cannot listen on {port}: {error.strerror}")
    threading.Thread(target=server.run, name="metrics", daemon=True).start()
    log.info("metrics at http://127.0.0.1:%d/metrics", port)


def watch_backlog(runtime: Runtime) -> None:
    """Report the bus's and the outboxes' backlog and the last close, read from storage at each scrape."""
    REGISTRY.register(BacklogCollector(runtime.bus, runtime.engine, OUTBOXES))
    REGISTRY.register(CloseCollector(runtime.sessions, runtime.settings.timezone))


class CloseCollector(Collector):
    """The last daily close, as the database records it (whichever process ran it, and across restarts)."""

    def __init__(self, sessions: sessionmaker[Session], timezone: ZoneInfo) -> None:
        self.sessions = sessions
        self.timezone = timezone

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.sessions() as session:
                last = session.scalars(select(ClosedCycle).order_by(ClosedCycle.billing_cycle.desc()).limit(1)).first()
        except Exception:
            log.exception("could not read the last close for metrics")
            return
        if last is None:
            return
        midnight = datetime.combine(last.billing_cycle + timedelta(days=1), time(0), self.timezone)
        yield from (
            GaugeMetricFamily(
                "ates_close_last_success_timestamp_seconds", "When the last close ran", value=_epoch(last.closed_at)
            ),
            GaugeMetricFamily(
                "ates_close_last_cycle_end_timestamp_seconds",
                "The midnight that ended the last closed day (in ATES_TIMEZONE)",
                value=midnight.timestamp(),
            ),
            GaugeMetricFamily("ates_close_last_paid_cents", "Cents paid by the last close", value=last.paid_cents),
            GaugeMetricFamily("ates_close_last_payments", "Workers paid by the last close", value=last.payments),
        )


def _epoch(moment: datetime) -> float:
    """SQLite keeps no time zone; aTES always writes UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
