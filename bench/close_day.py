"""The daily close with many workers holding balances: every positive balance is paid out.

`python -m bench.close_day [workers]`: seeds accounts with positive and negative balances, each matched by
its audit record, times the close of that day as the scheduler runs it (`jobs.daily_close.close_due`), then
checks that every positive balance became one payment whose UserPaid event waits in the outbox (the payout
DM's trigger), that every negative one was carried, and that the audit still adds up.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import psycopg

from bench.ceilings import Ceilings, ratios
from bench.common import Figure, Report, peak_rss_mb, scratch_database, size_argument
from domains.accounting.handlers import AccountingUnitOfWork, command_bus
from domains.accounting.model import PriceDraw
from domains.accounting.queries import audit_check
from domains.kernel.db import make_engine, make_session_factory
from jobs.daily_close import close_due

CYCLE = date(2025, 1, 6)
WORKED_AT = datetime.combine(CYCLE, clock_time(15, 0), tzinfo=UTC)
CLOSE_AT = datetime.combine(CYCLE + timedelta(days=1), clock_time(0, 1), tzinfo=UTC)  # just after midnight


def run(size: int, ceilings: Ceilings | None = None) -> Report:
    with scratch_database() as url:
        positive = _seed(url, size)
        engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        sessions = make_session_factory(engine)
        try:
            rss_before = peak_rss_mb_of_self()
            started = time.perf_counter()
            closed = close_due(
                command_bus(lambda: AccountingUnitOfWork(sessions, PriceDraw(), ZoneInfo("UTC"), lambda: CLOSE_AT))
            )
            close_s = time.perf_counter() - started
            rss_after = peak_rss_mb_of_self()
            mismatches = audit_check(sessions)
        finally:
            engine.dispose()
        payments, queued, carried = _paid(url)
    paid = sum(len(day.paid) for day in closed)
    figures = [
        Figure("close", close_s, "s", "<= 10", close_s <= 10),
        Figure("payments/s", payments / close_s, "pay/s", "", None, ratios(payments / close_s, ceilings)),
        Figure("balances paid out", payments, "", f"{positive:,}", payments == positive == paid),
        Figure("UserPaid queued for DMs", queued, "", f"{positive:,}", queued == positive),
        Figure("negative balances carried", carried, "", f"{size - positive:,}", carried == size - positive),
        Figure("audit check mismatches", len(mismatches), "", "0", not mismatches),
        Figure("peak RSS growth of the closer", rss_after - rss_before, "MiB"),
    ]
    if mismatches or payments != positive or queued != positive:
        raise SystemExit(f"bench: the close paid {payments:,} of {positive:,}; mismatches {mismatches[:5]}")
    return Report(f"close_day: {size:,} workers holding balances", figures, {"close_s": close_s})


def peak_rss_mb_of_self() -> float:
    return peak_rss_mb(os.getpid())


def _seed(url: str, workers: int) -> int:
    """One account per worker, two in three positive, each balance matched by one audit record of the day."""
    rng = random.Random(10)
    balances = [(f"W{n:06d}", rng.randint(1, 20_000) * (1 if n % 3 else -1)) for n in range(workers)]
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY accounting_accounts (user_id, balance_cents) FROM STDIN") as copy:
            for row in balances:
                copy.write_row(row)
        columns = "record_id, user_id, kind, amount_cents, balance_after_cents, billing_cycle, created_at, event_id"
        with cursor.copy(f"COPY accounting_audit_records ({columns}) FROM STDIN") as copy:
            for user_id, cents in balances:
                kind = "deposit" if cents > 0 else "withdraw"
                copy.write_row((str(uuid.uuid4()), user_id, kind, cents, cents, CYCLE, WORKED_AT, str(uuid.uuid4())))
        cursor.execute("ANALYZE")
    return sum(1 for _, cents in balances if cents > 0)


def _paid(url: str) -> tuple[int, int, int]:
    """Payments in the audit log, UserPaid events in the outbox, BalanceCarriedOver events in the outbox."""
    with psycopg.connect(url) as connection:
        payments = connection.execute("SELECT count(*) FROM accounting_audit_records WHERE kind = 'payment'")
        paid = payments.fetchone()
        events = connection.execute(
            "SELECT count(*) FILTER (WHERE body::jsonb ->> 'event_name' = 'UserPaid'),"
            " count(*) FILTER (WHERE body::jsonb ->> 'event_name' = 'BalanceCarriedOver') FROM accounting_outbox"
        ).fetchone()
    assert paid is not None and events is not None
    return int(paid[0]), int(events[0]), int(events[1])


def main() -> None:
    run(size_argument(__doc__ or "", 100_000).parse_args().size).print()


if __name__ == "__main__":
    main()
