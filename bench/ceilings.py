"""The machine's own limits: pgbench's TPC-B-like transactions/s and redis-benchmark's XADDs/s.

`python -m bench.ceilings [seconds]` (pgbench runs that long; default 10).
"""

from __future__ import annotations

import re
import subprocess
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis

from bench.common import REDIS_URL, Figure, Report, scratch_database, size_argument

XADDS = 200_000


@dataclass(frozen=True)
class Ceilings:
    pgbench_tps: float
    xadd_per_s: float

    def report(self) -> Report:
        figures = [
            Figure("pgbench TPC-B-like (-c 4 -j 2)", self.pgbench_tps, "tx/s"),
            Figure("redis-benchmark XADD (50 clients)", self.xadd_per_s, "msg/s"),
        ]
        return Report("ceilings", figures, {"pgbench_tps": self.pgbench_tps, "xadd_per_s": self.xadd_per_s})


def ratios(per_s: float, ceilings: Ceilings | None, *, xadd: bool = False) -> str:
    """A rate as a fraction of pgbench's transactions/s (and of redis-benchmark's XADDs/s)."""
    if ceilings is None:
        return ""
    text = f"{per_s / ceilings.pgbench_tps:.3f} x pgbench"
    return text + (f", {per_s / ceilings.xadd_per_s:.4f} x xadd" if xadd else "")


def measure(seconds: int = 10) -> Ceilings:
    return Ceilings(pgbench_tps(seconds), xadd_per_s())


def pgbench_tps(seconds: int) -> float:
    """pgbench's built-in script with 4 clients on 2 threads, on a throwaway database."""
    with scratch_database("ates_bench_pgbench", migrate=False) as url:
        subprocess.run(["pgbench", "-i", "-q", url], check=True, capture_output=True)
        run = subprocess.run(
            ["pgbench", "-c", "4", "-j", "2", "-T", str(seconds), url], check=True, capture_output=True, text=True
        )
    found = re.search(r"tps = ([\d.]+)", run.stdout)
    if found is None:
        raise SystemExit(f"bench: could not read pgbench's tps from:\n{run.stdout}")
    return float(found.group(1))


def xadd_per_s() -> float:
    """redis-benchmark's XADD on a private key of the bench's Redis database (deleted afterwards)."""
    parts = urlsplit(REDIS_URL)
    key = f"ates-bench-{uuid.uuid4().hex[:10]}:ceiling"
    database = parts.path.strip("/") or "0"
    argv = ["redis-benchmark", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379)]
    argv += ["--dbnum", database, "-n", str(XADDS), "-q", "--csv", "XADD", key, "MAXLEN", "~", "10000", "*", "f", "v"]
    try:
        run = subprocess.run(argv, check=True, capture_output=True, text=True)
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(key)
        client.close()
    # --csv prints a header, then "name","rps",...
    last = run.stdout.strip().splitlines()[-1]
    return float(last.split(",")[1].strip('"'))


def main() -> None:
    seconds = size_argument(__doc__ or "", 10).parse_args().size
    measure(seconds).report().print()


if __name__ == "__main__":
    main()
