"""TaskAssigned events through accounting, from XADD to committed (fee charged, audit record, outbox event).

`python -m bench.pipeline [events] [--consumers N]`: XADDs valid envelopes to the task-lifecycle stream
while `python -m jobs.consumers accounting` processes apply them; prints events/s, the end-to-end
latency (event_time to the inbox's applied_at), the consumers' peak RSS, and checks the audit.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime

import redis
from sqlalchemy import Engine, func, select, text

from bench.ceilings import Ceilings, ratios
from bench.common import (
    REDIS_URL,
    Figure,
    Report,
    Stack,
    percentile,
    redis_namespace,
    rss_figures,
    scratch_database,
    size_argument,
)
from domains.accounting.queries import audit_check
from domains.accounting.tables import inbox
from domains.kernel.contracts import TASK_LIFECYCLE, TaskAssigned
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.events import make_event

WORKERS = 5_000
CHUNK = 1_000


def run(size: int, consumers: int = 2, ceilings: Ceilings | None = None) -> Report:
    with scratch_database() as url, redis_namespace() as prefix, Stack(url, prefix) as stack:
        stack.start("accounting", copies=consumers)
        client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            _wait_for_group(client, prefix + TASK_LIFECYCLE, stack)
            sent = _produce(client, prefix + TASK_LIFECYCLE, size)
            _wait_applied(engine, size, stack)
            peaks = stack.peak_rss_mb()
            latencies, span_s = _latencies(engine, sent)
            mismatches = audit_check(make_session_factory(engine))
        finally:
            client.close()
            engine.dispose()
    events_per_s = size / span_s
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    rate = Figure(
        f"events/s ({consumers} consumers)",
        events_per_s,
        "ev/s",
        ">= 10,000",
        events_per_s >= 10_000,
        ratios(events_per_s, ceilings, xadd=True),
    )
    figures = [
        rate,
        Figure("XADD to committed p50", p50, "ms"),
        Figure("XADD to committed p99", p99, "ms"),
        Figure("audit check mismatches", len(mismatches), "", "0", not mismatches),
        *rss_figures(peaks),
    ]
    if mismatches:
        raise SystemExit(f"bench: the audit check failed after the pipeline: {mismatches[:5]}")
    summary = {"events_per_s": events_per_s, "pipeline_p99_ms": p99, "peak_rss_mb": max(peaks.values())}
    return Report(f"pipeline: {size:,} TaskAssigned through accounting", figures, summary)


def _wait_for_group(client: redis.Redis, stream: str, stack: Stack) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stack.check_alive()
        if client.exists(stream) and client.xinfo_groups(stream):
            return
        time.sleep(0.1)
    raise SystemExit("bench: the accounting consumers never created their group")


def _produce(client: redis.Redis, stream: str, size: int) -> dict[str, datetime]:
    """XADD `size` TaskAssigned envelopes in pipelined chunks; returns each event's event_time by id."""
    sent: dict[str, datetime] = {}
    for start in range(0, size, CHUNK):
        pipe = client.pipeline(transaction=False)
        for n in range(start, min(size, start + CHUNK)):
            assigned = TaskAssigned(task_id=uuid.uuid4(), assignee_id=f"W{n % WORKERS:05d}", previous_assignee_id=None)
            event = make_event("tasks", assigned)
            sent[str(event.event_id)] = event.event_time
            pipe.xadd(stream, {"event": event.to_json()})
        pipe.execute()
    return sent


def _wait_applied(engine: Engine, size: int, stack: Stack) -> None:
    deadline = time.monotonic() + 120 + size / 50
    while _applied(engine) < size:
        stack.check_alive()
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: only {_applied(engine):,} of {size:,} events applied; see {stack.logs}")
        time.sleep(0.5)


def _applied(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(inbox)).scalar_one())


def _latencies(engine: Engine, sent: dict[str, datetime]) -> tuple[list[float], float]:
    """Each event's seconds from event_time to applied_at, and the span from the first sent to the last applied."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT event_id, applied_at FROM accounting_inbox")).all()
    latencies = [(applied - sent[event_id]).total_seconds() for event_id, applied in rows]
    span = (max(applied for _, applied in rows) - min(sent.values())).total_seconds()
    return latencies, span


def main() -> None:
    parser = size_argument(__doc__ or "", 100_000)
    parser.add_argument("--consumers", type=int, default=2, help="accounting consumer processes (default 2)")
    args = parser.parse_args()
    run(args.size, args.consumers).print()


if __name__ == "__main__":
    main()
