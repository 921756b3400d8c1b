"""`python -m jobs.relay`: moves every domain's committed outbox events to Redis."""

from __future__ import annotations

import argparse
import logging

import redis

from jobs.observability import serve_probes
from jobs.process import background_settings, freeze_start_up_objects, stop_on_signals
from jobs.runtime import Runtime

log = logging.getLogger("ates.relay")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobs.relay", description=__doc__)
    parser.parse_args(argv)
    settings = background_settings(parser, "relays inside app.py")
    stop = stop_on_signals()
    runtime = Runtime.build(settings)
    serve_probes(runtime, backlog=True)  # the relay reports the backlog of every outbox and consumer group
    freeze_start_up_objects()
    while not stop.is_set():  # Redis may still be starting: the relay waits for it rather than exit
        try:
            runtime.ensure_groups()
            break
        except redis.RedisError:
            log.exception("Redis is unavailable; retrying")
            stop.wait(1.0)
    runtime.relay(stop)


if __name__ == "__main__":
    main()
