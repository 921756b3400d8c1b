"""Celery on REDIS_URL: the daily close, just after midnight in ATES_TIMEZONE, and again at every start.

`make_celery` builds the app; `python -m jobs.worker` and `python -m jobs.beat` call it with their settings, so
importing this module starts nothing (and no `celery -A` entry point is needed: the entry points run Celery's CLI
on the app they built).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_ready

from domains.kernel.settings import Settings
from jobs.daily_close import close_due
from jobs.runtime import Runtime

CLOSE_TASK = "ates.close_due_days"


def make_celery(settings: Settings) -> Celery:
    celery = Celery("ates", broker=settings.redis_url or "memory://")
    celery.conf.update(configuration(settings))
    runtime = cache(lambda: Runtime.build(settings))  # built by the first close, in the worker only

    @celery.task(name=CLOSE_TASK)  # type: ignore[untyped-decorator]
    def close_due_days() -> list[str]:
        """Close every billing cycle that is over and still open (each close's event brings its analytics post)."""
        return [day.cycle.isoformat() for day in close_due(runtime().accounting_uow)]

    def catch_up(sender: Any, **_: Any) -> None:
        """Whatever was down over midnight, the days it missed are closed as soon as Celery is back."""
        if sender.app is celery:
            celery.send_task(CLOSE_TASK)

    worker_ready.connect(catch_up, weak=False)
    beat_init.connect(catch_up, weak=False)
    return celery


def configuration(settings: Settings) -> dict[str, Any]:
    # A clock started at ATES_CLOCK_START moves beat's midnight with it; the real time otherwise.
    nowfun = None if settings.ates_clock_start is None else settings.start_clock()
    return {
        "timezone": settings.ates_timezone,
        "enable_utc": True,
        # Celery's own keys live under the same prefix as the streams, so several deployments share a Redis.
        "broker_transport_options": {"global_keyprefix": settings.ates_stream_prefix},
        "task_acks_late": True,  # a worker dying mid-close leaves the task queued; the close itself is exactly-once
        "task_reject_on_worker_lost": True,
        "task_ignore_result": True,
        "worker_hijack_root_logger": False,
        # Ride out a Redis outage of any length: retry the broker for ever (Celery's default gives up after 100
        # tries, ending the worker), and cancel a late-acked task cut off by it, which Redis delivers again.
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "beat_schedule_filename": str(settings.ates_data_dir / "celerybeat-schedule"),
        "beat_schedule": {
            "daily-close": {"task": CLOSE_TASK, "schedule": crontab(hour=0, minute=1, nowfun=nowfun)},
        },
    }
