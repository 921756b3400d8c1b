"""What every long-running process shares: settings or one clear line, logging, a stop on SIGTERM."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading

from pythonjsonlogger.json import JsonFormatter

from domains.kernel import log_context
from domains.kernel.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"aTES: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def background_settings(parser: argparse.ArgumentParser, instead: str) -> Settings:
    """The settings of a background process of the services runtime, its logging set up and its CPU priority
    lowered; on the embedded runtime, a usage error saying where it runs `instead`."""
    settings = settings_or_exit()
    if settings.embedded:
        parser.error(f"set DATABASE_URL and REDIS_URL: the embedded runtime {instead}")
    setup_logging(settings)
    yield_cpu_to_the_gateway(settings)
    return settings


def yield_cpu_to_the_gateway(settings: Settings) -> None:
    """Lower this background process's CPU priority: on a shared host the gateway's acks have 3 seconds,
    background work can lag a moment and catches up."""
    if settings.ates_background_nice:
        os.nice(settings.ates_background_nice)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FORMAT = " ".join(f"%({name})s" for name in ("asctime", "levelname", "name", "message", *log_context.FIELDS))


def setup_logging(settings: Settings) -> None:
    """Text lines, or with ATES_LOG_FORMAT=json one JSON object per line; each names the consumer group, the
    event being applied and its correlation id when there is one."""
    handler = logging.StreamHandler()
    if settings.ates_log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FORMAT, rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(log_context.ContextFilter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin at every start


def celery_options(settings: Settings) -> list[str]:
    """Options of the `celery` command before its subcommand: no banner on stdout when every line must be JSON."""
    return ["--quiet"] if settings.ates_log_format == "json" else []


def freeze_start_up_objects() -> None:
    """Hide what start-up built (libraries, mappers, contracts) from the garbage collector, and collect less often.

    A busy process allocates thousands of short-lived objects per batch; without this, the collector keeps walking
    the hundreds of thousands of long-lived objects of the libraries, about a sixth of a consumer's CPU.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so the current batch can finish before the process exits."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop
