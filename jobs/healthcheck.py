"""`python -m jobs.healthcheck [URL]`: a container's health check, exit 0 when healthy (no curl in a slim image).

With a URL (the gateway's /healthz, or a process's metrics port): healthy when it answers 200.
Without: healthy when PostgreSQL and Redis answer this container, within 2 seconds each.
"""

from __future__ import annotations

import sys
import urllib.request

import redis
from sqlalchemy import create_engine, text

from jobs.process import settings_or_exit

TIMEOUT_S = 2


def url_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return int(response.status) == 200
    except OSError:
        return False


def services_answer() -> bool:
    settings = settings_or_exit()
    if settings.embedded:
        return True  # one process, its own SQLite: alive is healthy
    engine = create_engine(settings.sqlalchemy_url, connect_args={"connect_timeout": TIMEOUT_S})
    client = redis.Redis.from_url(str(settings.redis_url), socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return bool(client.ping())
    except Exception as error:
        print(f"aTES: unhealthy: {error}", file=sys.stderr)
        return False
    finally:
        engine.dispose()
        client.close()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    healthy = url_answers(args[0]) if args else services_answer()
    raise SystemExit(0 if healthy else 1)


if __name__ == "__main__":
    main()
