"""`python -m jobs.worker [celery worker options]`: the Celery worker that runs the daily close."""

from __future__ import annotations

import sys

from jobs.celery_app import make_celery
from jobs.observability import serve_probes
from jobs.process import celery_options, settings_or_exit, setup_logging, yield_cpu_to_the_gateway
from jobs.runtime import Runtime

# Gossip and mingle are worker-to-worker chatter aTES does not use (one worker, no remote revokes); over Redis, gossip
# fails to restart after a broker outage ("Error on restarting Gossip: AttributeError…"), and mingle runs again at
# every reconnection. The heartbeat only feeds event monitors, which aTES does not run.
# Threads, not forked children: the close runs in the process that serves /metrics, so its duration shows.
WORKER_OPTIONS = ["--pool=threads", "--without-gossip", "--without-mingle", "--without-heartbeat"]


def main(argv: list[str] | None = None) -> None:
    settings = settings_or_exit()
    if settings.embedded:
        sys.exit("aTES: set DATABASE_URL and REDIS_URL: the embedded runtime closes the day inside app.py")
    setup_logging(settings)
    yield_cpu_to_the_gateway(settings)
    serve_probes(Runtime.build(settings))
    options = [*celery_options(settings), "worker", "--loglevel=INFO", *WORKER_OPTIONS]
    make_celery(settings).worker_main([*options, *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
