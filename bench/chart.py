"""The daily post's earnings chart: how long matplotlib takes to draw it, and how much memory the process holds.

`python -m bench.chart [draws]`: in a process set up as the `analytics-post` consumer is (jobs.runtime imported),
draws the 30-day chart that many times (the first draw also imports matplotlib) and prints the time per draw, wall
clock and CPU (on a busy machine the CPU time is the draw's own cost), and the process's peak resident set.
Targets: under 1 s a draw, under 150 MB.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta

from bench.common import Figure, Report, peak_rss_mb, percentile, size_argument
from bot.chart import earnings_chart
from jobs import runtime  # noqa: F401  (what the poster's process holds before it draws)

DRAW_TARGET_MS = 1000.0
RSS_TARGET_MB = 150.0


def run(draws: int) -> Report:
    rng = random.Random(30)
    days = [(date(2026, 10, 22) + timedelta(days=n), rng.randint(-40_000, 60_000)) for n in range(30)]
    started = time.perf_counter()
    first = earnings_chart(days)
    first_ms = (time.perf_counter() - started) * 1000
    wall, cpu = [], []
    for _ in range(max(draws, 1)):
        began, began_cpu = time.perf_counter(), time.process_time()
        earnings_chart(days, days[rng.randrange(30)][0])
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    rss = peak_rss_mb(os.getpid())
    target = f"< {DRAW_TARGET_MS:.0f} ms"
    figures = [
        Figure("first draw, matplotlib imported", first_ms, "ms"),
        Figure("draw, median wall clock", percentile(wall, 0.5), "ms", target, percentile(wall, 0.5) < DRAW_TARGET_MS),
        Figure("draw, slowest wall clock", max(wall), "ms", target, max(wall) < DRAW_TARGET_MS),
        Figure("draw, median CPU", percentile(cpu, 0.5), "ms", target, percentile(cpu, 0.5) < DRAW_TARGET_MS),
        Figure("PNG size", len(first) / 1024, "KiB"),
        Figure("process peak RSS", rss, "MB", f"< {RSS_TARGET_MB:.0f} MB", rss < RSS_TARGET_MB),
    ]
    return Report(f"Earnings chart: {draws} draws of 30 days", figures, {"chart_ms": percentile(wall, 0.5)})


def main() -> None:
    run(size_argument(__doc__ or "", 20).parse_args().size).print()


if __name__ == "__main__":
    main()
