"""`python -m jobs.beat [celery beat options]`: Celery beat, queueing the daily close just after midnight."""

from __future__ import annotations

import sys

from jobs.observability import serve_probes
from jobs.process import settings_or_exit, setup_logging
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> None:
    settings = settings_or_exit()
    if settings.embedded:
        sys.exit("aTES: set DATABASE_URL and REDIS_URL: the embedded runtime closes the day inside app.py")
    setup_logging()
    settings.ates_data_dir.mkdir(parents=True, exist_ok=True)
    serve_probes(Runtime.build(settings))
    from jobs.celery_app import app

    app.start(["beat", "--loglevel=INFO", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
