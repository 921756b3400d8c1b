"""Celery's beat runs the close just after midnight in the company's time zone, on aTES's own Redis keys."""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from celery.schedules import crontab

from domains.kernel.settings import Settings
from jobs.celery_app import CLOSE_TASK, make_celery

ROOT = Path(__file__).resolve().parents[2]


def test_the_daily_close_is_scheduled_at_one_past_midnight_in_ates_timezone() -> None:
    settings = Settings(redis_url="redis://127.0.0.1:6379/0", ates_timezone="Europe/Berlin", ates_stream_prefix="co:")
    celery = make_celery(settings)
    entry = celery.conf.beat_schedule["daily-close"]
    assert entry["task"] == CLOSE_TASK
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    schedule.app = celery
    assert celery.conf.timezone == "Europe/Berlin"
    assert celery.conf.broker_transport_options == {"global_keyprefix": "co:"}
    # Last run at 00:30 Berlin on a daylight-saving day: the next is 00:01 Berlin the day after, whatever its offset.
    for last_run, following in [
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), datetime(2026, 3, 29, 22, 1, tzinfo=UTC)),
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 25, 23, 1, tzinfo=UTC)),
    ]:
        start, delta, _ = schedule.remaining_delta(last_run)
        assert start + delta == following


def test_the_worker_and_beat_refuse_the_embedded_runtime() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    for module in ("jobs.worker", "jobs.beat"):
        run = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True)
        assert run.returncode == 1
        assert "set DATABASE_URL and REDIS_URL" in run.stderr


def test_with_a_clock_start_beat_waits_for_that_clocks_midnight_and_keeps_its_schedule_on_disk() -> None:
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    celery = make_celery(Settings(redis_url="redis://127.0.0.1:6379/0", ates_clock_start=start))
    schedule = pickle.loads(pickle.dumps(celery.conf.beat_schedule["daily-close"]["schedule"]))  # beat's shelve
    schedule.app = celery
    due, next_in_s = schedule.is_due(start - timedelta(minutes=1))
    assert not due
    assert 12 * 3600 - 60 <= next_in_s <= 12 * 3600 + 60  # 00:01 on the 21st, by the clock that started at noon
