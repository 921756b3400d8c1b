"""Celery on REDIS_URL: the daily close, just after midnight in ATES_TIMEZONE, and again at every start."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_ready

from bot.analytics_post import post_daily_analytics
from bot.slack_client import make_client
from domains.kernel.settings import Settings
from jobs.daily_close import close_due
from jobs.process import settings_or_exit
from jobs.runtime import Runtime

CLOSE_TASK = "ates.close_due_days"
POST_TASK = "ates.post_daily_analytics"


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
        # Ride out a Redis outage of any length: retry the broker for ever (Celery's default gives up after 100
        # tries, ending the worker), and cancel a late-acked task cut off by it, which Redis delivers again.
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_cancel_long_running_tasks_on_connection_loss=True,
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
    """Close every billing cycle that is over and still open, then queue each day's analytics post."""
    closed = [day.cycle.isoformat() for day in close_due(runtime().accounting_uow)]
    for cycle in closed:
        app.send_task(POST_TASK, args=[cycle])
    return closed


@app.task(name=POST_TASK, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)  # type: ignore[untyped-decorator]
def post_daily_analytics_task(cycle: str) -> bool:
    """Post a closed day's analytics to ATES_ANALYTICS_CHANNEL (nothing when it is not set)."""
    settings = runtime().settings
    client = make_client(settings)
    return post_daily_analytics(client, runtime().sessions, settings.ates_analytics_channel, date.fromisoformat(cycle))


@worker_ready.connect  # type: ignore[untyped-decorator]
@beat_init.connect  # type: ignore[untyped-decorator]
def catch_up(**_: Any) -> None:
    """Whatever was down over midnight, the days it missed are closed as soon as Celery is back."""
    app.send_task(CLOSE_TASK)
