"""What every long-running process shares: settings or one clear line, logging, a stop on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from domains.kernel.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"aTES: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def yield_cpu_to_the_gateway(settings: Settings) -> None:
    """Lower this background process's CPU priority: on a shared host the gateway's acks have 3 seconds,
    background work can lag a moment and catches up."""
    if settings.ates_background_nice:
        os.nice(settings.ates_background_nice)


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin at every start


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so the current batch can finish before the process exits."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop
