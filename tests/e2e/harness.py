"""Runs aTES as real processes (the embedded runtime, or PostgreSQL + Redis with separate consumers)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jobs import groups
from tests.fakes.slack_api import FAKE_LIMITS

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "e2e-signing-secret"
DISTRIBUTED_PROCESSES = [["-m", "jobs.relay"], *(["-m", "jobs.consumers", name] for name in groups.NAMES)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class System:
    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def start(self, *, distributed: bool) -> None:
        self.env["PORT"] = str(self.port)
        self.spawn(["app.py"], "web")
        self._wait_healthy()
        if distributed:
            for argv in DISTRIBUTED_PROCESSES:
                self.spawn(argv, argv[-1].replace(".", "-"))

    def spawn(self, argv: list[str], name: str, **extra_env: str) -> subprocess.Popen[bytes]:
        env = {**self.env, **extra_env}
        with open(self.logs / f"{name}.log", "ab") as log:  # the child keeps its own copy of the handle
            process = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def _wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the gateway did not start; see {self.logs}/web.log:\n" + self.log("web"))

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def base_env(api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ATES_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        {
            "SLACK_API_URL": api_url,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-e2e",
            "ATES_ADMIN_IDS": "UADMIN",
            "ATES_SLACK_BURST": str(FAKE_LIMITS.burst),  # as many back to back as the fake (and Slack) tolerates
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def services_env(
    api_url: str, database_url: str, redis_url: str, stream_prefix: str, data_dir: Path, **extra: str
) -> dict[str, str]:
    """Settings for the services runtime: PostgreSQL, Redis under the test's own key prefix, and its own data dir."""
    return base_env(
        api_url,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ATES_STREAM_PREFIX=stream_prefix,
        ATES_DATA_DIR=str(data_dir),
        **extra,
    )


def playground_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Settings for `make run` with no Slack app: the app serves the playground and uses it as Slack."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ATES_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"ATES_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra})
    return env


def eventually(probe: Callable[[], T], ok: Callable[[T], bool], timeout: float = 20.0) -> T:
    """Probe until `ok` holds (or fail after `timeout`): for effects that happen in other threads."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not ok(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout}s")
        time.sleep(0.05)
        value = probe()
    return value
