"""A real Prometheus (Debian's, installed by `make test`) scrapes every process of the services runtime."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import (
    DISTRIBUTED_PROCESSES,
    ROOT,
    SIGNING_SECRET,
    System,
    base_env,
    eventually,
    free_port,
    services_env,
)
from tests.e2e.test_task_life import button_value, count_workers
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender

CELERY_PROCESSES = [["-m", "jobs.worker"], ["-m", "jobs.beat"]]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"


@dataclass
class Prometheus:
    url: str

    def query(self, promql: str) -> list[dict[str, Any]]:
        address = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(address, timeout=10) as answer:
            reply = json.load(answer)
        assert reply["status"] == "success", reply
        return list(reply["data"]["result"])

    def value(self, promql: str) -> float:
        """The query's one value (0 when it has none yet)."""
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else 0.0

    def alerting_rules(self) -> set[str]:
        with urllib.request.urlopen(f"{self.url}/api/v1/rules", timeout=10) as answer:
            groups = json.load(answer)["data"]["groups"]
        return {rule["name"] for group in groups for rule in group["rules"] if rule["type"] == "alerting"}


def prometheus_binary() -> str:
    found = shutil.which("prometheus") or "/usr/bin/prometheus"
    assert Path(found).exists(), "Debian's prometheus is missing: `make prometheus` (part of `make test`) installs it"
    return found


@pytest.fixture
def services(
    slack: FakeSlack, pg_url: str, redis_url: str, stream_prefix: str, tmp_path: Path
) -> Iterator[tuple[System, dict[str, int]]]:
    """The gateway and every other process of the services runtime, each serving /metrics on its own port."""
    env = services_env(slack.api_url, pg_url, redis_url, stream_prefix, tmp_path / "var")
    running = System(env, tmp_path)
    running.start(distributed=False)
    ports = {"web": running.port}
    for argv in DISTRIBUTED_PROCESSES + CELERY_PROCESSES:
        name = argv[-1].removeprefix("jobs.")
        ports[name] = free_port()
        running.spawn(argv, name, ATES_METRICS_PORT=str(ports[name]))
    yield running, ports
    running.stop()


@pytest.fixture
def prometheus(services: tuple[System, dict[str, int]], tmp_path: Path) -> Iterator[Prometheus]:
    _, ports = services
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ALERTS)],
        "scrape_configs": [
            {
                "job_name": "ates",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{port}"], "labels": {"process": name}} for name, port in ports.items()
                ],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    with open(tmp_path / "prometheus.log", "ab") as log:
        server = subprocess.Popen(
            [
                prometheus_binary(),
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=log,
        )
    running = Prometheus(f"http://127.0.0.1:{port}")
    try:
        eventually(lambda: _ready(running.url), bool, timeout=60)
        yield running
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def readme_queries() -> list[str]:
    """The example queries the README shows (its ```promql block, comments aside)."""
    readme = (ROOT / "README.md").read_text()
    [block] = re.findall(r"```promql\n(.*?)```", readme, re.S)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_prometheus_scrapes_every_process_and_reads_back_a_short_journey(
    services: tuple[System, dict[str, int]], prometheus: Prometheus, slack: FakeSlack
) -> None:
    running, ports = services
    eventually(lambda: prometheus.value('count(up{job="ates"} == 1)'), lambda n: n == len(ports), timeout=120)
    assert {name: get(f"http://127.0.0.1:{port}/readyz") for name, port in ports.items()} == dict.fromkeys(
        ports, (200, "ready\n")
    )
    assert prometheus.alerting_rules() >= {"AtesConsumerGroupLagging", "AtesDailyCloseNotRun", "AtesDeadLetters"}

    sender = SlackSender(running.url, SIGNING_SECRET)
    engine = make_engine(running.env["DATABASE_URL"])
    eventually(lambda: count_workers(make_session_factory(engine)), lambda n: n == 2, timeout=60)
    engine.dispose()
    assert sender.command("UADMIN", "/task", "new Fix the beak", slack.response_url("create")).status == 200
    eventually(lambda: slack.calls_to("chat.postMessage"), bool, timeout=60)
    dm = slack.calls_to("chat.postMessage")[0]
    assignee = dm.args["channel"].removeprefix("D")
    shown = {"ts": "9.1", "text": ""}
    done = sender.click(assignee, "task_done", button_value(dm), slack.response_url("done"), message=shown)
    assert done.status == 200
    slack.wait_for("chat.update")
    caught_up = subprocess.run(
        [sys.executable, "-m", "jobs.cli", "status", "--wait", "--timeout", "120"],
        cwd=ROOT,
        env=running.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert caught_up.returncode == 0, caught_up.stderr

    def scraped(promql: str, ok: Callable[[float], bool] = lambda v: v > 0) -> float:
        return eventually(lambda: prometheus.value(promql), ok, timeout=30)

    scraped('sum(ates_gateway_requests_total{outcome="acked"})', lambda v: v >= 2)
    scraped('ates_gateway_ack_seconds_count{process="web", command="/task", action="new"}', lambda v: v == 1)
    scraped('ates_gateway_ack_seconds_count{command="block_actions", action="task_done"}', lambda v: v == 1)
    scraped('ates_consumer_events_applied_total{process="requests", group="requests"}', lambda v: v == 2)
    scraped('ates_consumer_events_applied_total{process="accounting", group="accounting"}')
    scraped('ates_consumer_batch_seconds_count{process="tasks", group="tasks"}')
    scraped('sum(ates_relay_published_total{process="relay"})')
    scraped('ates_relay_publish_seconds_count{outbox="tasks_outbox"}')
    # Caught up, as `ates status --wait` said: nothing waits in an outbox, nothing is pending or undelivered.
    scraped('count(ates_outbox_waiting_rows{process="relay"} == 0)', lambda v: v == 4)
    scraped("sum(ates_consumer_pending_messages) + sum(ates_consumer_lag_messages)", lambda v: v == 0)
    assert prometheus.value('count(ates_consumer_lag_messages{group="accounting"})') > 0
    assert prometheus.value("sum(ates_stream_dead_letters)") == 0
    assert prometheus.query('ates_close_duration_seconds_count{process="worker"}')  # the Celery worker is scraped
    for promql in readme_queries():  # rate() needs two scrapes of a series: the newest may have had one yet
        answers_with_data(prometheus, promql)


def answers_with_data(prometheus: Prometheus, promql: str) -> None:
    result: list[dict[str, Any]] = eventually(lambda: prometheus.query(promql), bool, timeout=30)
    assert result, promql


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_embedded_runtime_serves_every_figure_on_the_gateways_port(slack: FakeSlack, tmp_path: Path) -> None:
    running = System(base_env(slack.api_url, ATES_DATA_DIR=str(tmp_path / "var")), tmp_path)
    running.start(distributed=False)
    try:
        gateway = f"http://127.0.0.1:{running.port}"
        assert get(gateway + "/readyz") == (200, "ready\n")
        status, metrics = get(gateway + "/metrics")
        assert status == 200
        for series in (
            'ates_outbox_waiting_rows{outbox="tasks_outbox"}',
            'ates_consumer_lag_messages{group="accounting",stream="task-lifecycle"}',
            'ates_consumer_events_applied_total{group="tasks"}',
            "# TYPE ates_gateway_ack_seconds histogram",
            "# TYPE ates_relay_publish_seconds histogram",
        ):
            assert series in metrics, series
    finally:
        running.stop()
