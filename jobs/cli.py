"""`ates`: the operator's command line."""

from __future__ import annotations

import argparse
import sys

from domains.accounting.queries import audit_check
from jobs import bus_cli
from jobs.process import settings_or_exit
from jobs.runtime import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ates", description="Operate aTES: migrations, checks and the event bus.")
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
    bus_cli.add_commands(commands)
    args = parser.parse_args(argv)
    runtime = Runtime.build(settings_or_exit())
    if args.command in bus_cli.COMMANDS:
        return bus_cli.run(args, runtime)
    if args.command == "migrate":
        runtime.migrate()
        print("aTES: database is up to date")
        return 0
    mismatches = audit_check(runtime.sessions)
    for m in mismatches:
        print(f"{m.user_id}: balance {m.balance_cents} != records {m.records_cents}", file=sys.stderr)
    print(f"audit-check: {'FAILED' if mismatches else 'ok'} ({len(mismatches)} mismatched accounts)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
