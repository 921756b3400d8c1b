"""`ates close-day`: the same close from the command line; bad input is refused and changes nothing."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from domains.accounting.queries import audit_check, balance_of, last_closed_cycle
from tests.integration.cli import ates, ates_env, spawn_ates
from tests.integration.ledger import Ledger

WORKERS = [f"U{n}" for n in range(1, 7)]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the test's and every `ates` command's clock start here


@pytest.fixture
def ledger(pg_url: str) -> Iterator[Ledger]:
    running = Ledger.on(pg_url, NOW)
    yield running
    running.dispose()


@pytest.fixture
def env(pg_url: str, redis_url: str, stream_prefix: str, tmp_path: Path) -> dict[str, str]:
    return ates_env(pg_url, redis_url, stream_prefix, tmp_path, ATES_CLOCK_START=NOW.isoformat())


def work_yesterday(ledger: Ledger) -> dict[str, int]:
    yesterday = ledger.clock() - timedelta(days=1)
    for worker in WORKERS:
        ledger.complete(ledger.create(worker, at=yesterday), worker, at=yesterday)
    return {worker: balance_of(ledger.sessions, worker) for worker in WORKERS}


def test_close_day_pays_yesterday_once(ledger: Ledger, env: dict[str, str]) -> None:
    owed = work_yesterday(ledger)
    first = ates(env, "close-day")
    assert first.returncode == 0, first.stderr
    assert f"paid {len(WORKERS)} workers" in first.stdout
    again = ates(env, "close-day", "--date", (ledger.clock() - timedelta(days=1)).date().isoformat())
    assert again.returncode == 0 and "nothing to close" in again.stdout
    assert sorted(r.amount_cents for r in ledger.records("payment")) == sorted(-v for v in owed.values())


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "20261120", ""])
def test_a_bad_date_is_refused_and_changes_nothing(ledger: Ledger, env: dict[str, str], bad: str) -> None:
    work_yesterday(ledger)
    refused = ates(env, "close-day", "--date", bad)
    assert refused.returncode == 2
    assert "is not a date; use YYYY-MM-DD" in refused.stderr
    assert ledger.records("payment") == [] and last_closed_cycle(ledger.sessions) is None


def test_a_day_not_over_is_refused_and_changes_nothing(ledger: Ledger, env: dict[str, str]) -> None:
    work_yesterday(ledger)
    tomorrow = ledger.clock() + timedelta(days=1)  # not over
    refused = ates(env, "close-day", "--date", tomorrow.date().isoformat())
    assert refused.returncode == 1
    assert "is not over yet" in refused.stderr
    assert ledger.records("payment") == [] and last_closed_cycle(ledger.sessions) is None


def test_a_close_killed_halfway_and_run_again_pays_each_worker_once(
    ledger: Ledger, env: dict[str, str], pg_url: str
) -> None:
    owed = work_yesterday(ledger)
    database = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(database) as blocker:
        # Holding U4's account row stops the close as it takes the payments from the balances, before it commits.
        blocker.execute("SELECT 1 FROM accounting_accounts WHERE user_id = 'U4' FOR UPDATE")
        close = spawn_ates(env, "close-day")
        wait_until_blocked(blocker, close)
        close.send_signal(signal.SIGKILL)
        close.communicate(timeout=10)
        blocker.rollback()

    rerun = ates(env, "close-day")

    assert rerun.returncode == 0, rerun.stderr
    assert Counter(r.user_id for r in ledger.records("payment")) == dict.fromkeys(WORKERS, 1)
    assert {r.user_id: -r.amount_cents for r in ledger.records("payment")} == owed
    assert audit_check(ledger.sessions) == []


def wait_until_blocked(
    blocker: psycopg.Connection[tuple[object, ...]], close: subprocess.Popen[str], timeout: float = 30
) -> None:
    """Until the close's backend waits for U4's account, taking the payments from the balances (not committed)."""
    deadline = time.monotonic() + timeout
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND query LIKE 'INSERT INTO accounting_accounts%'"
    )
    while time.monotonic() < deadline:
        with psycopg.connect(blocker.info.dsn, autocommit=True) as probe:
            row = probe.execute(query).fetchone()
        if row and row[0]:
            return
        time.sleep(0.05)
    close.kill()
    raise AssertionError(f"the close never reached the locked account: {close.communicate()}")
