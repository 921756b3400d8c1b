"""What Prometheus reads from every process: the gateway's answers, the consumers' work, the backlog, the close."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from wsgiref.simple_server import WSGIRequestHandler, make_server
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from sqlalchemy import insert

from domains.kernel.bus import StreamBus
from domains.kernel.clock import utcnow
from domains.kernel.consumer import Consumer, OneByOne, events_on
from domains.kernel.contracts import TASK_LIFECYCLE, TASKS, TaskCreatedV2
from domains.kernel.events import Event, Payload
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.metrics import BacklogCollector
from domains.kernel.relay import relay_once
from domains.kernel.settings import Settings
from domains.tasks.tables import outbox as tasks_outbox
from jobs.daily_close import close_due
from jobs.observability import CloseCollector, Readiness, with_probes
from jobs.runtime import OUTBOXES, Runtime
from tests.backbone import bodies, task_traffic
from tests.e2e.harness import eventually, free_port
from tests.fakes.slack_requests import SlackSender
from tests.integration.ledger import Ledger
from tests.integration.slack_app import SlackApp


def sample(name: str, registry: CollectorRegistry = REGISTRY, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_the_gateway_counts_each_answer_and_times_it_by_command_and_action(app: SlackApp) -> None:
    def acked() -> float:
        return sample("ates_gateway_requests_total", outcome="acked")

    before = acked(), sample("ates_gateway_requests_total", outcome="refused")
    timed = sample("ates_gateway_ack_seconds_count", command="/task", action="help")
    guessed = sample("ates_gateway_ack_seconds_count", command="/task", action="other")

    assert app.sender.command("U1", "/task", "help", app.slack.response_url("help")).status == 200
    assert app.sender.command("U1", "/task", "frobnicate now", app.slack.response_url("huh")).status == 200
    forged = SlackSender(app.sender.url, "not-the-secret").command("U1", "/task", "help", app.slack.response_url("x"))

    assert forged.status == 401
    assert (acked(), sample("ates_gateway_requests_total", outcome="refused")) == (before[0] + 2, before[1] + 1)
    assert sample("ates_gateway_ack_seconds_count", command="/task", action="help") == timed + 1
    # What a user typed never becomes a label: every unknown subcommand is "other".
    assert sample("ates_gateway_ack_seconds_count", command="/task", action="other") == guessed + 1
    assert sample("ates_gateway_ack_seconds_count", command="/task", action="frobnicate") == 0


class FailsOnTaskOne(OneByOne):
    """A group whose handler always fails on one event: it is retried, then dead-lettered; the others apply."""

    group = "metrics-test"
    topics = (TASKS,)
    handles = events_on(topics)
    ignores: frozenset[type[Payload]] = frozenset()

    def apply(self, event: Event) -> bool:
        payload = event.payload()
        if isinstance(payload, TaskCreatedV2) and payload.title == "Task 1":
            raise ValueError("this one never applies")
        return True


def test_a_consumer_counts_applied_failed_and_dead_lettered_events_and_times_its_batches(runtime: Runtime) -> None:
    group = FailsOnTaskOne.group
    counts = ("applied", "failed", "dead_lettered")
    before = {c: sample(f"ates_consumer_events_{c}_total", group=group) for c in counts}
    batches = sample("ates_consumer_batch_seconds_count", group=group)
    consumer = Consumer(runtime.bus, FailsOnTaskOne(), "c1", policy=runtime.retry_policy(), batch=10)
    runtime.bus.publish(bodies(task_traffic(4, ["U1"])[0::2]))  # Task 0 … Task 3, on `tasks`

    eventually(lambda: consumer.poll(block_ms=20) >= 0 and runtime.bus.dead_letters(TASKS), bool)
    eventually(lambda: consumer.poll(block_ms=20), lambda settled: settled == 0)

    after = {c: sample(f"ates_consumer_events_{c}_total", group=group) - before[c] for c in counts}
    assert after == {"applied": 3, "failed": runtime.settings.ates_max_attempts, "dead_lettered": 1}
    assert sample("ates_consumer_batch_seconds_count", group=group) > batches


@pytest.fixture(params=["redis", "memory"])
def bus(request: pytest.FixtureRequest, runtime: Runtime) -> StreamBus:
    return runtime.bus if request.param == "redis" else MemoryBus()


def test_the_backlog_is_read_at_scrape_time_the_same_from_redis_and_memory(runtime: Runtime, bus: StreamBus) -> None:
    registry = CollectorRegistry()
    registry.register(BacklogCollector(bus, runtime.engine, OUTBOXES))
    bus.ensure_group("accounting", [TASK_LIFECYCLE])
    bus.publish(bodies(task_traffic(5, ["U1"]))[1::2])  # five TaskAssigned on task-lifecycle
    taken = bus.read("accounting", "a1", [TASK_LIFECYCLE], 3, 0, False)
    bus.dead_letter("accounting", taken[0], "boom")
    with runtime.engine.begin() as connection:
        connection.execute(
            insert(tasks_outbox).values(
                event_id="e1", topic=TASKS, body="{}", created_at=utcnow() - timedelta(seconds=30)
            )
        )

    def gauge(name: str, **labels: str) -> float:
        return sample(name, registry, **labels)

    on_lifecycle = {"group": "accounting", "stream": TASK_LIFECYCLE}
    assert gauge("ates_consumer_pending_messages", **on_lifecycle) == 3
    assert gauge("ates_consumer_lag_messages", **on_lifecycle) == 2
    assert gauge("ates_stream_dead_letters", stream=TASK_LIFECYCLE) == 1
    assert gauge("ates_outbox_waiting_rows", outbox="tasks_outbox") == 1
    assert gauge("ates_outbox_waiting_rows", outbox="accounting_outbox") == 0
    assert 30 <= gauge("ates_outbox_oldest_waiting_age_seconds", outbox="tasks_outbox") < 120

    bus.ack("accounting", taken)
    assert relay_once(runtime.engine, tasks_outbox, bus) == 1
    assert gauge("ates_consumer_pending_messages", **on_lifecycle) == 0
    assert gauge("ates_outbox_waiting_rows", outbox="tasks_outbox") == 0
    assert gauge("ates_outbox_oldest_waiting_age_seconds", outbox="tasks_outbox") == 0


def test_the_last_close_is_read_from_the_database_and_its_run_is_timed(pg_url: str) -> None:
    day = date(2026, 11, 20)
    ledger = Ledger.on(pg_url, datetime(2026, 11, 20, 12, tzinfo=UTC), "Europe/Berlin")
    registry = CollectorRegistry()
    registry.register(CloseCollector(ledger.sessions, ZoneInfo("Europe/Berlin")))
    assert sample("ates_close_last_paid_cents", registry) == 0  # nothing closed yet: nothing reported
    done = ledger.create("U1")
    ledger.complete(done, "U1")
    ledger.create("U2")
    closes, paid = sample("ates_close_duration_seconds_count"), sample("ates_close_paid_cents_total")
    ledger.clock.advance(hours=12, minutes=1)

    [closed] = close_due(ledger.uow, day)

    assert closed.paid_cents > 0
    assert sample("ates_close_last_paid_cents", registry) == closed.paid_cents
    assert sample("ates_close_last_payments", registry) == 1
    midnight_in_berlin = datetime(2026, 11, 20, 23, tzinfo=UTC).timestamp()
    assert sample("ates_close_last_cycle_end_timestamp_seconds", registry) == midnight_in_berlin
    assert sample("ates_close_last_success_timestamp_seconds", registry) == ledger.clock().timestamp()
    assert sample("ates_close_duration_seconds_count") == closes + 1
    assert sample("ates_close_paid_cents_total") == paid + closed.paid_cents
    ledger.dispose()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def probes(runtime: Runtime) -> Iterator[str]:
    """/metrics, /healthz and /readyz alone, as every process but the gateway serves them."""
    server = make_server("127.0.0.1", 0, with_probes(None, Readiness(runtime)), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_process_answers_metrics_liveness_and_readiness(probes: str) -> None:
    assert get(probes + "/healthz") == (200, "ok\n")
    assert get(probes + "/readyz") == (200, "ready\n")
    status, metrics = get(probes + "/metrics")
    assert status == 200
    assert "# TYPE ates_consumer_events_applied_total counter" in metrics
    assert get(probes + "/slack/events")[0] == 404


def test_not_ready_while_redis_is_away_or_the_database_is_behind_the_code(pg_url: str, stream_prefix: str) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    runtime = Runtime.build(Settings(database_url=pg_url, redis_url=nobody, ates_stream_prefix=stream_prefix))
    readiness = Readiness(runtime)
    [problem] = readiness.problems()
    assert problem.startswith("redis: ConnectionError")
    with runtime.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    database, _redis = readiness.problems()
    assert database == f"database: migrated to 0001, the code needs {readiness.head} (run `ates migrate`)"
    runtime.close()
