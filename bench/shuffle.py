"""`/shuffle` of many open tasks among many workers, until every new assignee has been charged the fee.

`python -m bench.shuffle [tasks] [--workers N] [--consumers N]`: seeds the tasks, the workers and a
manager straight into the tables (COPY), starts the gateway, the relay and accounting consumers, sends
one signed `/shuffle`, and times the HTTP answer and the moment the last fee is committed.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg

from bench.ceilings import Ceilings, ratios
from bench.common import (
    SIGNING_SECRET,
    Figure,
    Report,
    Stack,
    audit,
    redis_namespace,
    rss_figures,
    scratch_database,
    size_argument,
    wait_until,
)
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

MANAGER = "UMANAGER"


def run(size: int, workers: int = 5_000, consumers: int = 2, ceilings: Ceilings | None = None) -> Report:
    with _fake_slack() as slack, scratch_database() as url, redis_namespace() as prefix:
        _seed(url, size, workers)
        with Stack(url, prefix, slack.api_url) as stack:
            stack.start("web")
            stack.start("relay")
            stack.start("accounting", copies=consumers)
            sent_at = datetime.now(UTC)
            started = time.perf_counter()
            reply = SlackSender(stack.url, SIGNING_SECRET).command(MANAGER, "/shuffle", "", slack.response_url())
            answer_ms = (time.perf_counter() - started) * 1000
            if reply.status != 200:
                raise SystemExit(f"bench: /shuffle answered {reply.status}: {reply.body}")
            wait_until(lambda: _shuffled(slack), 120 + size / 1_000, "the shuffle's reply")
            shuffled_s = (datetime.now(UTC) - sent_at).total_seconds()
            wait_until(lambda: _fees(url) >= size, 120 + size / 50, f"{size:,} fees", every=0.5)
            charged_s = (_last_applied(url) - sent_at).total_seconds()
            peaks = stack.peak_rss_mb()
        mismatches = audit(url)
    fees_per_s = size / charged_s
    figures = [
        Figure("HTTP answer", answer_ms, "ms", "<= 1,000", answer_ms <= 1_000),
        Figure("shuffle committed (reply sent)", shuffled_s, "s"),
        Figure("every fee charged", charged_s, "s", "<= 15", charged_s <= 15),
        Figure("fees charged/s", fees_per_s, "fee/s", "", None, ratios(fees_per_s, ceilings)),
        Figure("audit check mismatches", len(mismatches), "", "0", not mismatches),
        *rss_figures(peaks),
    ]
    if mismatches:
        raise SystemExit(f"bench: the audit check failed after the shuffle: {mismatches[:5]}")
    summary = {"shuffle_s": charged_s, "shuffle_answer_ms": answer_ms, "peak_rss_mb": max(peaks.values())}
    return Report(f"shuffle: {size:,} open tasks among {workers:,} workers", figures, summary)


@contextmanager
def _fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    slack.start()
    try:
        yield slack
    finally:
        slack.stop()


def _seed(url: str, tasks: int, workers: int) -> None:
    """The workers and a manager (identity's and tasks' copies), and open tasks priced by accounting."""
    rng = random.Random(8)
    ids = [f"W{n:05d}" for n in range(workers)]
    now = datetime.now(UTC)
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY identity_users (slack_id, name, role, is_active, updated_at) FROM STDIN") as copy:
            for user_id, role in [(MANAGER, "manager"), *((w, "worker") for w in ids)]:
                copy.write_row((user_id, user_id, role, True, now))
        with cursor.copy("COPY tasks_members (user_id, role, is_active) FROM STDIN") as copy:
            for user_id, role in [(MANAGER, "manager"), *((w, "worker") for w in ids)]:
                copy.write_row((user_id, role, True))
        task_ids = [str(uuid.uuid4()) for _ in range(tasks)]
        with cursor.copy(
            "COPY tasks_tasks (task_id, title, description, status, author_id, assignee_id, created_at) FROM STDIN"
        ) as copy:
            for n, task_id in enumerate(task_ids):
                copy.write_row((task_id, f"Task {n}", "", "open", MANAGER, rng.choice(ids), now))
        with cursor.copy("COPY accounting_tasks (task_id, title, fee_cents, reward_cents) FROM STDIN") as copy:
            for n, task_id in enumerate(task_ids):
                copy.write_row((task_id, f"Task {n}", rng.randint(1_000, 2_000), rng.randint(2_000, 4_000)))
        cursor.execute("ANALYZE")


def _shuffled(slack: FakeSlack) -> bool:
    return any("Shuffled" in str(call.args.get("text")) for call in slack.calls_to("response_url"))


def _fees(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM accounting_audit_records WHERE kind = 'withdraw'").fetchone()
    return int(row[0]) if row else 0


def _last_applied(url: str) -> datetime:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT max(applied_at) FROM accounting_inbox").fetchone()
    assert row is not None and isinstance(row[0], datetime)
    return row[0]


def main() -> None:
    parser = size_argument(__doc__ or "", 100_000)
    parser.add_argument("--workers", type=int, default=5_000, help="workers to shuffle among (default 5,000)")
    parser.add_argument("--consumers", type=int, default=2, help="accounting consumer processes (default 2)")
    args = parser.parse_args()
    run(args.size, args.workers, args.consumers).print()


if __name__ == "__main__":
    main()
