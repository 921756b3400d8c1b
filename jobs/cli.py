"""`ates`: the operator's command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from bot.analytics_post import post_daily_analytics
from bot.slack_client import make_client
from domains.accounting.model import CycleError
from domains.accounting.queries import audit_check
from domains.kernel.clock import cycle_of, utcnow
from jobs import bus_cli
from jobs.daily_close import close_due, describe
from jobs.groups import RESETS
from jobs.process import settings_or_exit
from jobs.replay import outbox_history, replay, stream_history
from jobs.runtime import OUTBOXES, Runtime


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ates", description="Operate aTES: migrations, checks, the daily close and the event bus."
    )
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
    _add_close_day(commands)
    _add_replay(commands)
    _add_analytics_post(commands)
    bus_cli.add_commands(commands)
    return parser


def _add_close_day(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    close = commands.add_parser(
        "close-day",
        help="pay out every billing cycle that is over and still open",
        description="Close every open billing cycle through --date (default: yesterday in ATES_TIMEZONE), "
        "oldest first. Safe to run any number of times: a closed day is never paid twice.",
    )
    close.add_argument("--date", type=_day, help="the last day to close, YYYY-MM-DD (default: yesterday)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    runtime = Runtime.build(settings_or_exit())
    if args.command in bus_cli.COMMANDS:
        return bus_cli.run(args, runtime)
    if args.command == "migrate":
        runtime.migrate()
        print("aTES: database is up to date")
        return 0
    if args.command == "replay":
        return _replay(runtime, args.group)
    if args.command == "analytics-post":
        return _analytics_post(runtime, args.date)
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
        print(describe(day))
    if not closed:
        print("close-day: nothing to close; every day that is over is already closed")
    return 0


def _audit_check(runtime: Runtime) -> int:
    mismatches = audit_check(runtime.sessions)
    for m in mismatches:
        print(f"{m.user_id}: balance {m.balance_cents} != records {m.records_cents}", file=sys.stderr)
    print(f"audit-check: {'FAILED' if mismatches else 'ok'} ({len(mismatches)} mismatched accounts)")
    return 1 if mismatches else 0


def _add_replay(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay_parser = commands.add_parser(
        "replay",
        help="rebuild a consumer group's tables from every published event",
        description=(
            "Empty the group's own tables and apply every event on its topics again, from the Redis streams "
            "(or, on the embedded runtime, from the producers' outboxes)."
        ),
    )
    replay_parser.add_argument("group", choices=sorted(RESETS), help="the consumer group to rebuild")


def _add_analytics_post(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    post_parser = commands.add_parser(
        "analytics-post",
        help="post a day's analytics and earnings chart to ATES_ANALYTICS_CHANNEL",
        description="Post a day's analytics (and the chart of the 30 days to it) to ATES_ANALYTICS_CHANNEL.",
    )
    post_parser.add_argument(
        "--date",
        type=date.fromisoformat,
        help="the billing cycle, YYYY-MM-DD (default: yesterday in ATES_TIMEZONE, the last closed day)",
    )


def _replay(runtime: Runtime, group: str) -> int:
    applier = runtime.applier(group, make_client(runtime.settings))
    if runtime.settings.embedded:
        bodies = outbox_history(runtime.engine, OUTBOXES, applier.topics)
    else:
        bodies = stream_history(runtime.bus, applier.topics)
    done = replay(applier, lambda: RESETS[group](runtime.sessions), bodies)
    print(f"replay {group}: applied {done.applied} events ({done.invalid} invalid ones skipped)")
    return 0


def _analytics_post(runtime: Runtime, cycle: date | None) -> int:
    channel = runtime.settings.ates_analytics_channel
    if not channel:
        print("analytics-post: ATES_ANALYTICS_CHANNEL is not set; nothing was posted", file=sys.stderr)
        return 1
    day = cycle or cycle_of(utcnow(), runtime.settings.timezone) - timedelta(days=1)
    post_daily_analytics(make_client(runtime.settings), runtime.sessions, channel, day)
    print(f"analytics-post: posted {day.isoformat()} to {channel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
