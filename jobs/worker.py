"""`python -m jobs.worker [celery worker options]`: the Celery worker that runs the daily close."""

from __future__ import annotations

import sys

from jobs.observability import serve_probes
from jobs.process import settings_or_exit, setup_logging, yield_cpu_to_the_gateway
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> None:
    settings = settings_or_exit()
    if settings.embedded:
        sys.exit("aTES: set DATABASE_URL and REDIS_URL: the embedded runtime closes the day inside app.py")
    setup_logging()
    yield_cpu_to_the_gateway(settings)
    serve_probes(Runtime.build(settings))
    from jobs.celery_app import app

    # Threads, not forked children: the close runs in the process that serves /metrics, so its duration shows.
    app.worker_main(["worker", "--loglevel=INFO", "--pool=threads", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
