"""Celery on REDIS_URL: the daily close, just after midnight in ATES_TIMEZONE, and again at every start."""

from __future__ import annotations

from functools import cache
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_ready

from domains.kernel.settings import Settings
from jobs.daily_close import close_due
from jobs.process import settings_or_exit
from jobs.runtime import Runtime

CLOSE_TASK = "ates.close_due_days"


def make_celery(settings: Settings) -> Celery:
    celery = Celery("ates", broker=settings.redis_url or "memory://")
    celery.conf.update(
        timezone=settings.ates_timezone,
        enable_utc=True,
        # Celery's own keys live under the same prefix as the streams, so several deployments share a Redis.
        broker_transport_options={"global_keyprefix": settings.ates_stream_prefix},
        task_acks_late=True,  # a worker dying mid-close leaves the task queued; the close itself is exactly-once
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        beat_schedule_filename=str(settings.ates_data_dir / "celerybeat-schedule"),
        beat_schedule={
            "daily-close": {"task": CLOSE_TASK, "schedule": crontab(hour=0, minute=1)},
        },
    )
    return celery


app = make_celery(settings_or_exit())


@cache
def runtime() -> Runtime:
    return Runtime.build(settings_or_exit())


@app.task(name=CLOSE_TASK)  # type: ignore[untyped-decorator]
def close_due_days_task() -> list[str]:
    """Close every billing cycle that is over and still open (each close's event brings its analytics post)."""
    return [day.cycle.isoformat() for day in close_due(runtime().accounting_uow)]


@worker_ready.connect  # type: ignore[untyped-decorator]
@beat_init.connect  # type: ignore[untyped-decorator]
def catch_up(**_: Any) -> None:
    """Whatever was down over midnight, the days it missed are closed as soon as Celery is back."""
    app.send_task(CLOSE_TASK)
