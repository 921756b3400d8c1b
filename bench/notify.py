"""Telling workers, within Slack's rate limits, against a fake Web API that answers in 150 ms and enforces them.

`python -m bench.notify [tasks] [--workers N] [--seconds S]`:
- a `/shuffle` of the open tasks among the workers: seconds until the last worker has been told, and that
  time as a ratio to the minimum Slack's limits allow for the calls that were made;
- `/task new` at a sustained 20 requests/s for S seconds, among the same workers: the assignee's DM latency, p50
  and p99 (a worker told in the last second waits for Slack's one post a second per channel: among 500 workers
  that is one DM in 25, and the p99 is some 1.3 s), twice: within
  Slack's workspace-wide `chat.postMessage` limit (ATES_SLACK_POST_PER_MIN, 600 a minute: 20 DMs a second are
  twice what it lets through, so the queue, and the latency, grow with the run), and with that limit raised to
  1,500 a minute in the app and the fake alike, which shows aTES's own latency (the goal: p99 <= 1 s).
All are measured from the calls the fake Web API recorded (when it received each).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg

from bench.common import (
    SIGNING_SECRET,
    Figure,
    Report,
    Stack,
    percentile,
    redis_namespace,
    scratch_database,
    size_argument,
    wait_until,
)
from bench.shuffle import MANAGER, _seed, _shuffled
from bot.slack_pace import SlackLimits
from tests.fakes.slack_api import Call, FakeSlack
from tests.fakes.slack_requests import SlackSender

LATENCY_S = 0.15  # Slack's own, roughly
PROCESSES = ("web", "requests", "relay", "tasks", "accounting", "notifier")
DM_RATE = 20  # /task new a second
TITLE = re.compile(r"Bench DM (\d+)\b")
RAISED_POST_PER_MIN = 1_500.0  # room for 20 DMs a second: what aTES itself adds, with Slack's workspace limit aside


def run(size: int, workers: int = 5_000, seconds: int = 60) -> Report:
    told_s, ratio, checks = _shuffle(size, workers)
    limited_p50, limited_p99 = _dm_latency(seconds, workers, SlackLimits().post_per_minute)
    p50, p99 = _dm_latency(seconds, workers, RAISED_POST_PER_MIN)
    figures = [
        Figure("last worker told after the shuffle", told_s, "s"),
        Figure("... as a ratio to Slack's limits", ratio, "x", "<= 1.2", ratio <= 1.2),
        *(Figure(name, value, "", "0", value == 0) for name, value in checks.items()),
        Figure(f"DM after /task new p50 ({DM_RATE}/s, Slack's 600 posts/min)", limited_p50, "ms"),
        Figure(f"DM after /task new p99 ({DM_RATE}/s, Slack's 600 posts/min)", limited_p99, "ms"),
        Figure(f"DM after /task new p50 ({DM_RATE}/s, 1,500 posts/min)", p50, "ms"),
        Figure(f"DM after /task new p99 ({DM_RATE}/s, 1,500 posts/min)", p99, "ms", "<= 1,000", p99 <= 1_000),
    ]
    summary = {"notify_all_s": told_s, "notify_ratio": ratio, "dm_p99_ms": p99}
    return Report(f"notify: shuffle of {size:,} tasks among {workers:,} workers; DMs for {seconds} s", figures, summary)


@contextmanager
def _stack(tasks: int, workers: int, posts_per_min: float | None = None) -> Iterator[tuple[FakeSlack, str, Stack]]:
    """The app and a fake Slack, both at Slack's limits, or both at `posts_per_min` chat.postMessage a minute."""
    limits = SlackLimits(burst=2, post_per_minute=posts_per_min or SlackLimits().post_per_minute)
    slack = FakeSlack(latency_s=LATENCY_S, limits=limits)
    slack.start()
    env = {"ATES_SLACK_POST_PER_MIN": str(posts_per_min)} if posts_per_min else {}
    try:
        with scratch_database() as url, redis_namespace() as prefix:
            _seed(url, tasks, workers)
            with Stack(url, prefix, slack.api_url, extra_env=env) as stack:
                for name in PROCESSES:
                    stack.start(name)
                yield slack, url, stack
    finally:
        slack.stop()


def _shuffle(size: int, workers: int) -> tuple[float, float, dict[str, float]]:
    with _stack(size, workers) as (slack, url, stack):
        sent = time.monotonic()
        SlackSender(stack.url, SIGNING_SECRET).command(MANAGER, "/shuffle", "", slack.response_url())
        wait_until(lambda: _shuffled(slack), 600, "the shuffle's reply")
        assignees = _assignees(url)
        untold = lambda: set(assignees) - _told(slack.calls_to("chat.postMessage"))  # noqa: E731
        wait_until(lambda: not untold(), 120 + 2 * len(assignees), "every assignee to be told", every=1)
        time.sleep(3)  # anything sent twice arrives too
        calls = [c for c in slack.calls if c.at >= sent and c.method != "response_url"]
        refused = list(slack.refused)
    posts = [c for c in calls if c.method == "chat.postMessage"]
    told_s = max(c.at for c in posts) - sent
    return told_s, told_s / _minimum_s(calls), _checks(posts, refused, assignees)


def _assignees(url: str) -> list[str]:
    """The assignee of every TaskAssigned the shuffle published."""
    with psycopg.connect(url) as connection:
        bodies = [row[0] for row in connection.execute("SELECT body FROM tasks_outbox")]
    events = [json.loads(body) for body in bodies]
    return [e["data"]["assignee_id"] for e in events if e["event_name"] == "TaskAssigned"]


def _minimum_s(calls: list[Call]) -> float:
    """The least time Slack's limits allow for these calls: the busiest pace's calls back to back, then one answer."""
    limits, counts, intervals = SlackLimits(), Counter[str](), {}
    for call in calls:
        for key, rate in limits.keys(call.method, call.args.get("channel")):
            counts[key] += 1
            intervals[key] = rate.interval
    return max((count - 1) * intervals[key] for key, count in counts.items()) + LATENCY_S


def _told(posts: list[Call]) -> set[str]:
    """Whom these DMs reached (a DM channel from conversations.open is "D" and the user's id)."""
    return {str(c.args.get("channel")).removeprefix("D") for c in posts}


def _checks(posts: list[Call], refused: list[Call], assignees: list[str]) -> dict[str, float]:
    told = _told(posts)
    sent = Counter(json.dumps(c.args, sort_keys=True) for c in posts)
    refusals = Counter(json.dumps([c.method, c.args], sort_keys=True) for c in refused)
    return {
        "workers not told": len(set(assignees) - told),
        "messages doubled": sum(n - 1 for n in sent.values() if n > 1),
        "calls refused twice": sum(1 for n in refusals.values() if n > 1),
    }


def _dm_latency(seconds: int, workers: int, posts_per_min: float) -> tuple[float, float]:
    count = DM_RATE * seconds
    with _stack(0, workers, posts_per_min) as (slack, _url, stack):
        sender = SlackSender(stack.url, SIGNING_SECRET)
        _warm_up(slack, sender)
        sent_at: dict[int, float] = {}
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            for n in range(count):
                time.sleep(max(0.0, started + n / DM_RATE - time.monotonic()))
                sent_at[n] = time.monotonic()
                pool.submit(sender.command, MANAGER, "/task", f"new Bench DM {n}", slack.response_url())
        wait_until(lambda: len(_dms(slack)) >= count, 120 + count, f"{count} DMs", every=1)
        latencies = [(at - sent_at[n]) * 1000 for n, at in _dms(slack).items()]
    return percentile(latencies, 0.5), percentile(latencies, 0.99)


def _warm_up(slack: FakeSlack, sender: SlackSender) -> None:
    """One task through every process before the clock runs: what is measured is the steady state, not start-up
    (the processes' first connections and queries kept the first seconds' DMs some 4 s late)."""
    sender.command(MANAGER, "/task", "new Warming up", slack.response_url())
    wait_until(lambda: "Warming up" in json.dumps([c.args for c in slack.calls_to("chat.postMessage")]), 120, "warm-up")


def _dms(slack: FakeSlack) -> dict[int, float]:
    """When the fake received the first DM about each benchmark task."""
    first: dict[int, float] = {}
    for call in slack.calls_to("chat.postMessage"):
        found = TITLE.search(json.dumps(call.args))
        if found:
            first.setdefault(int(found.group(1)), call.at)
    return first


def main() -> None:
    parser = size_argument(__doc__ or "", 100_000)
    parser.add_argument("--workers", type=int, default=5_000, help="workers (default 5,000)")
    parser.add_argument("--seconds", type=int, default=60, help=f"seconds of /task new at {DM_RATE}/s (default 60)")
    args = parser.parse_args()
    run(args.size, args.workers, args.seconds).print()


if __name__ == "__main__":
    main()
