"""`python -m jobs.consumers <group>`: one member of a consumer group (PostgreSQL + Redis runtime)."""

from __future__ import annotations

import argparse

from bot.slack_client import make_client
from jobs.groups import NAMES
from jobs.observability import serve_probes
from jobs.process import (
    freeze_start_up_objects,
    settings_or_exit,
    setup_logging,
    stop_on_signals,
    yield_cpu_to_the_gateway,
)
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobs.consumers", description=__doc__)
    parser.add_argument("group", choices=NAMES, help="the consumer group to join")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    if settings.embedded:
        parser.error("set DATABASE_URL and REDIS_URL: the embedded runtime runs its consumers inside app.py")
    setup_logging(settings)
    yield_cpu_to_the_gateway(settings)
    stop = stop_on_signals()
    runtime = Runtime.build(settings)
    consumer = runtime.consumer(args.group, make_client(settings))
    serve_probes(runtime)
    freeze_start_up_objects()
    consumer.run(stop)


if __name__ == "__main__":
    main()
