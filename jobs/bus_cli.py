"""The operator's view of the bus: `ates status`, `ates events tail`, `ates dlq list|replay|drop`, `ates trim`."""

from __future__ import annotations

import argparse
import json
import sys
import time

from bot.slack_client import make_client
from domains.kernel.bus import DeadLetter
from domains.kernel.consumer import Applier
from domains.kernel.events import contracts, parse_event
from domains.kernel.metrics import OutboxBacklog, outbox_backlog
from domains.kernel.redis_bus import RedisBus
from domains.kernel.relay import trim_streams
from jobs.process import stop_on_signals
from jobs.runtime import OUTBOXES, Runtime

COMMANDS = ("status", "events", "dlq", "trim")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = commands.add_parser(
        "status",
        help="each outbox's waiting rows, each stream's length, each group's pending count and lag, the dead letters",
        description="Print each outbox's unpublished rows, each stream's length and dead letters, and each consumer "
        "group's pending count and lag. With --wait, wait instead until everything has caught up (exit 0), or say "
        "what is still behind at --timeout (exit 1).",
    )
    status.add_argument(
        "--wait",
        action="store_true",
        help="exit 0 once every outbox is published and no group has anything pending or undelivered; 1 at --timeout",
    )
    status.add_argument("--timeout", type=float, default=60.0, metavar="S", help="how long --wait waits (default 60)")
    events = commands.add_parser("events", help="watch events pass", description="Watch the event streams.")
    tail = events.add_subparsers(dest="action", required=True).add_parser(
        "tail", help="print events as they are published", description="Print each event as it is published."
    )
    tail.add_argument("--stream", help="only this stream (default: every stream)")
    tail.add_argument("--count", type=int, help="exit after this many events (default: until stopped)")
    dlq = commands.add_parser(
        "dlq", help="list, replay or drop dead letters", description="Events no consumer group could apply."
    )
    actions = dlq.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list dead letters", description="List dead letters with their error.")
    replay = actions.add_parser(
        "replay",
        help="apply dead letters again, to the group that failed them",
        description="Apply dead letters again with the current code, each to the group that failed it, once; "
        "each one that applies leaves the dead-letter stream.",
    )
    replay.add_argument("--id", help="only this dead letter (default: all)")
    drop = actions.add_parser("drop", help="delete a dead letter", description="Delete a dead letter for good.")
    drop.add_argument("--id", required=True, help="the dead letter to delete")
    for action in (listing, replay, drop):
        action.add_argument("--stream", help="only this stream's dead letters")
    commands.add_parser(
        "trim",
        help="delete stream entries every consumer group has acknowledged",
        description="Delete the stream entries every consumer group has acknowledged (the relay also does this "
        "every ATES_TRIM_INTERVAL_S seconds when it is set). Unacknowledged entries are never deleted, but "
        "`ates replay` rebuilds only from what is left on the streams.",
    )


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    try:
        return _run(args, runtime)
    finally:
        runtime.close()


def _run(args: argparse.Namespace, runtime: Runtime) -> int:
    bus = runtime.bus
    if not isinstance(bus, RedisBus):
        print("aTES: the embedded runtime keeps its bus inside app.py; set DATABASE_URL and REDIS_URL", file=sys.stderr)
        return 2
    if args.command == "status":
        return _wait(runtime, bus, args.timeout) if args.wait else _status(runtime, bus)
    if args.command == "events":
        return _tail(bus, args.stream, args.count)
    if args.command == "trim":
        runtime.ensure_groups()
        print(f"trim: removed {trim_streams(bus)} acknowledged entries")
        return 0
    letters = [d for topic in bus.topics() if args.stream in (None, topic) for d in bus.dead_letters(topic)]
    if args.action == "list":
        return _list(letters)
    if args.id:
        letters = [d for d in letters if d.message_id == args.id]
        if len(letters) != 1:
            print(f"dlq: {len(letters)} dead letters have id {args.id}; see `ates dlq list`", file=sys.stderr)
            return 1
    if args.action == "drop":
        bus.remove_dead_letter(letters[0].topic, letters[0].message_id)
        print(f"dropped {letters[0].topic} {letters[0].message_id}")
        return 0
    return _replay(runtime, bus, letters)


def _status(runtime: Runtime, bus: RedisBus) -> int:
    print(f"{'outbox':<24} {'waiting':>8} {'oldest':>13}")
    for outbox in outbox_backlog(runtime.engine, OUTBOXES):
        print(f"{outbox.outbox:<24} {outbox.waiting:>8} {_age(outbox):>13}")
    print(f"{'stream':<24} {'length':>8} {'dead letters':>13}")
    for stream in bus.status():
        print(f"{stream.topic:<24} {stream.length:>8} {stream.dead_letters:>13}")
        for group in stream.groups:
            lag = "?" if group.lag is None else group.lag
            print(f"  group {group.name:<16} pending {group.pending:>6}  lag {lag:>6}")
    return 0


def _age(outbox: OutboxBacklog) -> str:
    if outbox.oldest is None:
        return "-"
    return f"{max(time.time() - outbox.oldest.timestamp(), 0.0):.1f} s"


def _wait(runtime: Runtime, bus: RedisBus, timeout: float) -> int:
    """Poll until nothing waits anywhere (0), or say what still does at the timeout (1)."""
    deadline = time.monotonic() + timeout
    while True:
        behind = _behind(runtime, bus)
        if not behind:
            print("status: caught up (every outbox published, nothing pending or undelivered)")
            return 0
        if time.monotonic() >= deadline:
            print(f"status: not caught up after {timeout:g} s:\n  " + "\n  ".join(behind), file=sys.stderr)
            return 1
        time.sleep(0.2)


def _behind(runtime: Runtime, bus: RedisBus) -> list[str]:
    """What has not caught up yet, one line each (an outage is one of them)."""
    try:
        outboxes = outbox_backlog(runtime.engine, OUTBOXES)
        found = [f"outbox {o.outbox}: {o.waiting} waiting" for o in outboxes if o.waiting]
        for stream in bus.status():
            found.extend(
                f"group {g.name} on {stream.topic}: {g.pending} pending, lag {'unknown' if g.lag is None else g.lag}"
                for g in stream.groups
                if g.pending or g.lag != 0
            )
    except Exception as error:  # the database or Redis is away: not caught up, and say why
        return [f"{type(error).__name__}: {str(error)[:200]}"]
    return found


def _tail(bus: RedisBus, stream: str | None, count: int | None) -> int:
    topics = [stream] if stream else sorted({model.TOPIC for model in contracts().values()})
    positions = dict.fromkeys(topics, "$")
    stop, shown = stop_on_signals(), 0
    while not stop.is_set() and (count is None or shown < count):
        for delivery in bus.tail(positions, block_ms=500):
            positions[delivery.topic] = delivery.message_id
            print(f"{delivery.topic} {delivery.message_id} {_describe(delivery.body)}", flush=True)
            shown += 1
    return 0


def _describe(body: str) -> str:
    try:
        event = json.loads(body)
        return f"{event['event_name']} v{event['event_version']} {event['event_id']} {json.dumps(event['data'])}"
    except (ValueError, KeyError, TypeError):
        return f"(not an event) {body[:200]!r}"


def _list(letters: list[DeadLetter]) -> int:
    for d in letters:
        print(f"{d.message_id}  {d.topic}  group={d.group}  {_describe(d.body)[:120]}\n    error: {d.error[:300]}")
    print(f"{len(letters)} dead letters")
    return 0


def _replay(runtime: Runtime, bus: RedisBus, letters: list[DeadLetter]) -> int:
    client, failed = make_client(runtime.settings), 0
    appliers: dict[str, Applier] = {}
    for d in letters:
        try:
            if d.group not in appliers:
                appliers[d.group] = runtime.applier(d.group, client)
            applied = appliers[d.group].apply(parse_event(d.body))
        except Exception as error:  # still failing: it stays in the dead-letter stream
            failed += 1
            print(f"{d.message_id}  {d.topic}  group={d.group}: still fails: {error}"[:500])
            continue
        bus.remove_dead_letter(d.topic, d.message_id)
        print(f"{d.message_id}  {d.topic}  group={d.group}: {'applied' if applied else 'was already applied'}")
    print(f"replayed {len(letters) - failed} of {len(letters)} dead letters")
    return 1 if failed else 0
