"""`python -m jobs.consumers <group>`: one member of a consumer group (PostgreSQL + Redis runtime)."""

from __future__ import annotations

import argparse

from bot.slack_client import make_client
from jobs.groups import NAMES
from jobs.observability import serve_probes
from jobs.process import background_settings, freeze_start_up_objects, stop_on_signals
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobs.consumers", description=__doc__)
    parser.add_argument("group", choices=NAMES, help="the consumer group to join")
    args = parser.parse_args(argv)
    settings = background_settings(parser, "runs its consumers inside app.py")
    stop = stop_on_signals()
    runtime = Runtime.build(settings)
    consumer = runtime.consumer(args.group, make_client(settings), stop)
    serve_probes(runtime)
    freeze_start_up_objects()
    consumer.run(stop)


if __name__ == "__main__":
    main()
