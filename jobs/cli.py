"""`ates`: the operator's command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from domains.accounting.model import CycleError
from domains.accounting.queries import audit_check
from domains.kernel.clock import format_cents
from jobs.daily_close import close_due
from jobs.process import settings_or_exit
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ates", description="Operate aTES: migrations, checks and the daily close.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "migrate",
        help="create or upgrade every table (alembic upgrade head)",
        description="Create or upgrade every table on DATABASE_URL (or the embedded SQLite file).",
    )
    commands.add_parser(
        "audit-check",
        help="prove every balance equals the sum of its audit records",
        description="Exit 1, listing each account, when a balance differs from its audit records.",
    )
    close = commands.add_parser(
        "close-day",
        help="pay out every billing cycle that is over and still open",
        description="Close every open billing cycle through --date (default: yesterday in ATES_TIMEZONE), "
        "oldest first. Safe to run any number of times: a closed day is never paid twice.",
    )
    close.add_argument("--date", type=_day, help="the last day to close, YYYY-MM-DD (default: yesterday)")
    args = parser.parse_args(argv)
    runtime = Runtime.build(settings_or_exit())
    if args.command == "migrate":
        runtime.migrate()
        print("aTES: database is up to date")
        return 0
    if args.command == "close-day":
        return _close_day(runtime, args.date)
    return _audit_check(runtime)


def _day(text: str) -> date:
    try:
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD")


def _close_day(runtime: Runtime, through: date | None) -> int:
    try:
        closed = close_due(runtime.accounting_uow, through)
    except CycleError as error:
        print(f"close-day: {error}", file=sys.stderr)
        return 1
    for day in closed:
        carried = f", {len(day.carried)} negative balances carried over" if day.carried else ""
        print(f"closed {day.cycle}: paid {len(day.paid)} worker(s) {format_cents(day.paid_cents)}{carried}")
    if not closed:
        print("close-day: nothing to close; every day that is over is already closed")
    return 0


def _audit_check(runtime: Runtime) -> int:
    mismatches = audit_check(runtime.sessions)
    for m in mismatches:
        print(f"{m.user_id}: balance {m.balance_cents} != records {m.records_cents}", file=sys.stderr)
    print(f"audit-check: {'FAILED' if mismatches else 'ok'} ({len(mismatches)} mismatched accounts)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
