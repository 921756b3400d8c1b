"""`make bench`: the machine's ceilings, then every benchmark at full size (or scaled), one table, one summary line.

`python -m bench.run [--scale F]`: F multiplies every size (0.02 for a quick check of the scripts).
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable
from pathlib import Path

from bench import ack, ceilings, close_day, notify, pipeline, shuffle
from bench.common import Report

SUMMARY = (
    "events_per_s",
    "ack_p99_ms",
    "ack_rps",
    "shuffle_s",
    "close_s",
    "peak_rss_mb",
    "pgbench_tps",
    "xadd_per_s",
    "notify_all_s",
    "notify_ratio",
    "dm_p99_ms",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this (default 1)")
    scale = parser.parse_args().scale
    print(f"machine: {machine()}")
    limits = ceilings.measure()
    benchmarks: list[Callable[[], Report]] = [
        limits.report,
        lambda: ack.run(sized(5_000, scale), ceilings=limits),
        lambda: pipeline.run(sized(100_000, scale), ceilings=limits),
        lambda: shuffle.run(sized(100_000, scale), workers=sized(5_000, scale), ceilings=limits),
        lambda: close_day.run(sized(100_000, scale), ceilings=limits),
        lambda: notify.run(sized(100_000, scale), workers=sized(5_000, scale), seconds=max(5, round(60 * scale))),
    ]
    reports = []
    for benchmark in benchmarks:
        reports.append(benchmark())
        reports[-1].print()  # as each finishes: the full run takes a while
    print(summary_line(reports))


def sized(full: int, scale: float) -> int:
    return max(10, round(full * scale))


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return f"{os.cpu_count()} x {cpu}, {memory_kb / 1024**2:.1f} GiB RAM, {platform.system()} {platform.release()}"


def summary_line(reports: list[Report]) -> str:
    """The line tools read; a figure no benchmark measured reads n/a, and peak RSS is the largest of any run."""
    values: dict[str, float] = {}
    for report in reports:
        for key, value in report.summary.items():
            values[key] = max(values.get(key, value), value) if key == "peak_rss_mb" else value
    return "bench: " + " ".join(f"{key}={_number(values.get(key))}" for key in SUMMARY)


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if value < 100 else str(round(value))


if __name__ == "__main__":
    main()
