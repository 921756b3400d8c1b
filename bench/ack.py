"""Signed `/task new` commands and Done clicks against the gateway, many clients at once.

`python -m bench.ack [requests] [--clients N]`: starts every Procfile process on a throwaway database
and Redis namespace, with a fake Slack Web API whose workspace holds the workers; half the requests
create tasks, half click Done on tasks already assigned to the clicking worker. Prints p50/p99 time
to the HTTP answer, requests/s, and the processes' peak RSS.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg
from slack_sdk.signature import SignatureVerifier

from bench.ceilings import Ceilings, ratios
from bench.common import (
    SIGNING_SECRET,
    UNPACED_SLACK,
    Figure,
    Report,
    Stack,
    audit,
    percentile,
    procfile,
    redis_namespace,
    rss_figures,
    scratch_database,
    size_argument,
    wait_until,
)
from tests.fakes.slack_api import FakeSlack, member

WORKERS = 100
CLIENT_PROCESSES = 2
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Outcome:
    status: int
    seconds: float


def run(size: int, clients: int = 50, ceilings: Ceilings | None = None) -> Report:
    members = [member("UADMIN", "Admin")] + [member(w, w) for w in workers()]
    slack = FakeSlack(members=members, page_size=200, limits=None)  # the gateway is measured, not Slack's limits
    slack.start()
    try:
        with scratch_database() as url, redis_namespace() as prefix, _system(url, prefix, slack) as stack:
            for name in procfile():
                stack.start(name)
            wait_until(lambda: _members(url) == WORKERS, 120, "the workspace's workers to reach tasks")
            bodies = _requests(url, size, slack.response_url("bench"))
            outcomes, wall_s = _send(stack, bodies, clients)
            wait_until(lambda: _followed_up(slack) >= size, 60 + size / 20, "every reply to reach Slack")
            wait_until(lambda: _money_moves(url) >= size, 60 + size / 20, "every fee and reward to be recorded")
            peaks = stack.peak_rss_mb()
            mismatches = audit(url)
    finally:
        slack.stop()
    failed = [o for o in outcomes if o.status != 200]
    seconds = [o.seconds for o in outcomes]
    p50, p99, rps = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.99) * 1000, len(outcomes) / wall_s
    figures = [
        Figure("answer p50", p50, "ms"),
        Figure("answer p99", p99, "ms", "<= 100", p99 <= 100),
        Figure(f"requests/s ({clients} clients)", rps, "req/s", ">= 300", rps >= 300, ratios(rps, ceilings)),
        Figure("answers other than 200", len(failed), "", "0", not failed),
        Figure("audit check mismatches", len(mismatches), "", "0", not mismatches),
        *rss_figures(peaks),
    ]
    if mismatches:
        raise SystemExit(f"bench: the audit check failed after the acks: {mismatches[:5]}")
    summary = {"ack_p99_ms": p99, "ack_rps": rps, "peak_rss_mb": max(peaks.values())}
    return Report(f"ack: {size:,} signed requests, {clients} clients", figures, summary)


def _system(url: str, prefix: str, slack: FakeSlack) -> Stack:
    return Stack(url, prefix, slack.api_url, extra_env={"ATES_ADMIN_IDS": "UADMIN", **UNPACED_SLACK})


def workers() -> list[str]:
    return [f"W{n:04d}" for n in range(WORKERS)]


def _members(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM tasks_members WHERE role = 'worker'").fetchone()
    return int(row[0]) if row else 0


def _money_moves(url: str) -> int:
    """Audit records so far: one fee per task created, one reward per task done."""
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM accounting_audit_records").fetchone()
    return int(row[0]) if row else 0


def _followed_up(slack: FakeSlack) -> int:
    return len(slack.calls_to("response_url")) + len(slack.calls_to("chat.update"))


def _requests(url: str, size: int, response_url: str) -> list[str]:
    """Request bodies, alternating a `/task new` and a Done click on a task seeded for the clicking worker."""
    clicks = size // 2
    tasks = [(str(uuid.uuid4()), workers()[n % WORKERS]) for n in range(clicks)]
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO tasks_tasks (task_id, title, description, status, author_id, assignee_id, created_at)"
            " VALUES (%s, 'Seeded for Done', '', 'open', 'UADMIN', %s, now())",
            tasks,
        )
    authors = [workers()[n % WORKERS] for n in range(size - clicks)]
    creates = [_command(author, f"new [UP-{n}] Bench task {n}", response_url) for n, author in enumerate(authors)]
    done = [_click(assignee, task_id, response_url) for task_id, assignee in tasks]
    mixed = [body for pair in zip(creates, done, strict=False) for body in pair]
    return mixed + creates[len(done) :]


def _command(user_id: str, text: str, response_url: str) -> str:
    form = {"team_id": "T1", "channel_id": "C1", "user_id": user_id, "command": "/task", "text": text}
    return urlencode({**form, "response_url": response_url, "trigger_id": "t", "api_app_id": "A1"})


def _click(user_id: str, task_id: str, response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user_id},
        "api_app_id": "A1",
        "trigger_id": "t",
        "response_url": response_url,
        "channel": {"id": f"D{user_id}"},
        "container": {"type": "message", "channel_id": f"D{user_id}"},
        "message": {"ts": "1.000001", "text": ""},
        "actions": [{"type": "button", "action_id": "task_done", "block_id": "b", "value": task_id}],
    }
    return urlencode({"payload": json.dumps(payload)})


def _send(stack: Stack, bodies: list[str], clients: int) -> tuple[list[Outcome], float]:
    """Send every body from `clients` keep-alive connections at once; returns each outcome and the wall time.

    The clients run in processes of their own (Slack's servers are not in the fake Web API's process either), so
    their timings do not include waiting for this process's interpreter lock.
    """
    shares = [bodies[k::CLIENT_PROCESSES] for k in range(CLIENT_PROCESSES)]
    threads = [len(range(k, clients, CLIENT_PROCESSES)) for k in range(CLIENT_PROCESSES)]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(CLIENT_PROCESSES, mp_context=spawn) as pool:
        results = list(pool.map(_clients, [stack.port] * CLIENT_PROCESSES, shares, threads))
    outcomes = [outcome for mine, _, _ in results for outcome in mine]
    return outcomes, max(end for _, _, end in results) - min(start for _, start, _ in results)


def _clients(port: int, bodies: list[str], clients: int) -> tuple[list[Outcome], float, float]:
    """One client process: `clients` threads share `bodies`; returns the outcomes and when sending began and ended."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client(share: list[str]) -> None:
        signer = SignatureVerifier(SIGNING_SECRET)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for body in share:
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signer.generate_signature(timestamp=stamp, body=body) or "",
            }
            started = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                connection.close()  # reconnects on the next request
                status = 0
            mine.append(Outcome(status, time.perf_counter() - started))
        connection.close()
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=client, args=(bodies[k::clients],)) for k in range(clients)]
    began = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process of the machine
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, began, time.monotonic()


def main() -> None:
    parser = size_argument(__doc__ or "", 5_000)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    args = parser.parse_args()
    run(args.size, args.clients).print()


if __name__ == "__main__":
    main()
