"""`python -m jobs.beat [celery beat options]`: Celery beat, queueing the daily close just after midnight."""

from __future__ import annotations

import sys

from jobs.celery_app import make_celery
from jobs.observability import serve_probes
from jobs.process import celery_options, settings_or_exit, setup_logging
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> None:
    settings = settings_or_exit()
    if settings.embedded:
        sys.exit("aTES: set DATABASE_URL and REDIS_URL: the embedded runtime closes the day inside app.py")
    setup_logging(settings)
    settings.ates_data_dir.mkdir(parents=True, exist_ok=True)
    serve_probes(Runtime.build(settings))
    options = [*celery_options(settings), "beat", "--loglevel=INFO"]
    make_celery(settings).start([*options, *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
