"""`python -m jobs.healthcheck URL`: a container's health check (a slim image has no curl): exit 0 when the URL
answers 200 (the gateway's /readyz, or another process's on ATES_METRICS_PORT), 1 otherwise."""

from __future__ import annotations

import sys
import urllib.request

TIMEOUT_S = 2


def url_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return int(response.status) == 200
    except OSError:  # refused, timed out, or an HTTP error status (urllib raises those)
        return False


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m jobs.healthcheck URL")
    raise SystemExit(0 if url_answers(args[0]) else 1)


if __name__ == "__main__":
    main()
