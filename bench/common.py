"""What every benchmark shares: a throwaway database and Redis namespace, the Procfile's processes, figures."""

from __future__ import annotations

import argparse
import math
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from domains.accounting.queries import Mismatch, audit_check
from domains.kernel.db import make_engine, make_session_factory
from jobs.migrations import upgrade

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("ATES_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ATES_BENCH_REDIS", "redis://127.0.0.1:6379/9")
SIGNING_SECRET = "bench-signing-secret"
# For benchmarks of aTES's own throughput: Slack's rate limits (bench/notify.py measures within them) lifted.
UNPACED_SLACK = {
    f"ATES_SLACK_{limit}": "1000000"
    for limit in ("TIER2_PER_MIN", "TIER3_PER_MIN", "TIER4_PER_MIN", "POST_PER_MIN", "POST_PER_CHANNEL_PER_MIN")
}


@dataclass(frozen=True)
class Figure:
    """One measured figure, the target it should reach (if any), and whether it did."""

    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    ratio: str = ""

    def row(self) -> str:
        verdict = "" if self.met is None else ("ok" if self.met else "MISSED")
        return f"{self.name:<36} {self.value:>12,.1f} {self.unit:<6} {self.target:<10} {verdict:<7} {self.ratio}"


@dataclass(frozen=True)
class Report:
    """A benchmark's figures for the table, and the numbers the summary line takes from it."""

    title: str
    figures: list[Figure]
    summary: dict[str, float]

    def print(self) -> None:
        print(f"\n== {self.title}")
        print(f"{'figure':<36} {'value':>12} {'unit':<6} {'target':<10} {'verdict':<7} of the machine's ceiling")
        for figure in self.figures:
            print(figure.row())
        sys.stdout.flush()


def size_argument(description: str, default: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("size", type=int, nargs="?", default=default, help=f"how many (default {default:,})")
    return parser


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (0 < fraction <= 1)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


def wait_until(probe: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def scratch_database(kind: str = "ates_bench", migrate: bool = True) -> Iterator[str]:
    """A new PostgreSQL database (migrated unless told not to); dropped afterwards. Yields its libpq URL."""
    name = f"{kind}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        if migrate:
            upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute("CHECKPOINT")  # the last benchmark's dirty pages are written now, not during this one
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis_namespace() -> Iterator[str]:
    """A private key prefix in the bench's Redis database; every key under it is deleted afterwards."""
    prefix = f"ates-bench-{uuid.uuid4().hex[:10]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def procfile() -> dict[str, list[str]]:
    """The production processes, by name, as the Procfile starts them (`python` is this interpreter)."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if command.strip():
            argv = shlex.split(command)
            while "=" in argv[0]:  # the Procfile's per-process settings (a metrics port): benchmarks scrape nothing
                argv.pop(0)
            commands[name.strip()] = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
    return commands


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Stack:
    """aTES's own processes on one database and Redis namespace, started from the Procfile by name."""

    database_url: str
    prefix: str
    slack_api_url: str = "http://127.0.0.1:9/api/"
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ates-bench-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ATES_", "DATABASE_URL", "REDIS"))}
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=REDIS_URL,
            ATES_STREAM_PREFIX=self.prefix,
            SLACK_API_URL=self.slack_api_url,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_BOT_TOKEN="xoxb-bench",
            PORT=str(self.port),
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        return env

    def start(self, name: str, copies: int = 1) -> None:
        """Start `copies` of the Procfile's process `name` (several join the same consumer group)."""
        argv = procfile()[name]
        for copy in range(copies):
            label = name if copies == 1 else f"{name}-{copy + 1}"
            with open(self.logs / f"{label}.log", "ab") as log:  # the child keeps its own handle
                self.processes[label] = subprocess.Popen(argv, cwd=ROOT, env=self.env(), stdout=log, stderr=log)
        if name == "web":
            wait_until(self._healthy, 60, "the gateway's /healthz")

    def _healthy(self) -> bool:
        self.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def check_alive(self) -> None:
        for label, process in self.processes.items():
            if process.poll() is not None:
                raise SystemExit(f"bench: {label} exited with {process.returncode}; see {self.logs}/{label}.log")

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def peak_rss_mb(self) -> dict[str, float]:
        return {label: peak_rss_mb(process.pid) for label, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def audit(url: str) -> list[Mismatch]:
    """The audit check (every balance equals the sum of its records) on a benchmark's database."""
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        return audit_check(make_session_factory(engine))
    finally:
        engine.dispose()


def rss_figures(peaks: dict[str, float]) -> list[Figure]:
    return [Figure(f"peak RSS {label}", mb, "MiB", "<= 250", mb <= 250) for label, mb in sorted(peaks.items())]
