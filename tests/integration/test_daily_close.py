"""The daily close on PostgreSQL: pays positive balances once, carries negative ones, never skips a day."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from domains.accounting.handlers import AccountingUnitOfWork, close_day
from domains.accounting.model import CycleError, DayClosed
from domains.accounting.queries import audit_check, balance_of, earnings_by_day, last_closed_cycle
from domains.accounting.tables import ClosedCycle
from domains.kernel.contracts import AuditRecordCreated, BalanceCarriedOver, UserPaid
from domains.kernel.events import Event
from tests.integration.ledger import Ledger

DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def ledger(pg_url: str) -> Iterator[Ledger]:
    running = Ledger.on(pg_url, NOON)
    yield running
    running.dispose()


def a_day_of_work(ledger: Ledger) -> tuple[int, int]:
    """U1 completes a task (ends positive), U2 is only charged (ends negative); returns their balances."""
    done = ledger.create("U1")
    ledger.complete(done, "U1")
    ledger.create("U2")
    return balance_of(ledger.sessions, "U1"), balance_of(ledger.sessions, "U2")


def test_the_close_pays_positive_balances_and_carries_negative_ones(ledger: Ledger) -> None:
    u1, u2 = a_day_of_work(ledger)
    assert u1 > 0 > u2
    ledger.clock.advance(hours=12, minutes=1)

    closed = ledger.close_day(DAY)

    assert closed.paid == {"U1": u1} and closed.carried == {"U2": u2}
    assert balance_of(ledger.sessions, "U1") == 0 and balance_of(ledger.sessions, "U2") == u2
    [payment] = ledger.records("payment")
    assert (payment.user_id, payment.amount_cents, payment.billing_cycle) == ("U1", -u1, DAY)
    [paid] = ledger.emitted("UserPaid")
    assert paid == UserPaid(user_id="U1", amount_cents=u1, earned_cents=u1, billing_cycle=DAY)
    assert str(payment.event_id) in {str(e.event_id) for e in ledger.emitted_events("UserPaid")}
    [carried] = ledger.emitted("BalanceCarriedOver")
    assert carried == BalanceCarriedOver(user_id="U2", balance_cents=u2, earned_cents=u2, billing_cycle=DAY)
    records = ledger.emitted("AuditRecordCreated")
    assert [r.kind for r in records if isinstance(r, AuditRecordCreated)] == [
        "withdraw",
        "deposit",
        "withdraw",
        "payment",
    ]
    assert audit_check(ledger.sessions) == []
    assert last_closed_cycle(ledger.sessions) == DAY


def test_closing_twice_pays_nobody_twice(ledger: Ledger) -> None:
    a_day_of_work(ledger)
    ledger.clock.advance(days=1)
    first = ledger.close_day(DAY)
    again = ledger.close_day(DAY)
    assert first.paid and again.already_closed and not again.paid
    assert ledger.close_due() == []
    assert len(ledger.records("payment")) == 1
    assert len(ledger.emitted("UserPaid")) == 1


def test_a_day_not_over_is_refused_and_nothing_changes(ledger: Ledger) -> None:
    u1, _ = a_day_of_work(ledger)
    with pytest.raises(CycleError, match="not over yet"):
        ledger.close_day(DAY)
    with pytest.raises(CycleError, match="not over yet"):
        ledger.close_due(DAY)
    assert balance_of(ledger.sessions, "U1") == u1
    assert ledger.records("payment") == [] and last_closed_cycle(ledger.sessions) is None


def test_a_later_day_waits_for_the_earlier_open_one(ledger: Ledger) -> None:
    a_day_of_work(ledger)
    ledger.clock.advance(days=3)
    with pytest.raises(CycleError, match="2026-11-20 must be closed before 2026-11-21"):
        ledger.close_day(DAY + timedelta(days=1))
    assert ledger.records("payment") == []


def test_money_dated_in_a_closed_day_lands_in_the_next_open_one(ledger: Ledger) -> None:
    a_day_of_work(ledger)
    ledger.clock.advance(days=1)
    ledger.close_day(DAY)
    late = ledger.create("U1", at=NOON + timedelta(hours=6))  # happened on the 20th, heard of after its close
    ledger.complete(late, "U1", at=NOON + timedelta(hours=7))
    late_records = ledger.records()[-2:]
    assert {r.billing_cycle for r in late_records} == {DAY + timedelta(days=1)}
    assert len(ledger.records("payment")) == 1


def test_money_after_midnight_is_not_paid_with_the_day_before(ledger: Ledger) -> None:
    u1, _ = a_day_of_work(ledger)
    ledger.clock.advance(hours=12, seconds=30)  # 00:00:30, before the close runs
    early = ledger.create("U1")
    ledger.complete(early, "U1")
    now = balance_of(ledger.sessions, "U1")
    ledger.clock.advance(seconds=30)
    assert ledger.close_day(DAY).paid == {"U1": u1}
    assert balance_of(ledger.sessions, "U1") == now - u1
    assert audit_check(ledger.sessions) == []


def test_missed_days_are_closed_in_order(ledger: Ledger) -> None:
    balances = []
    for _ in range(3):
        task = ledger.create("U1")
        ledger.complete(task, "U1")
        balances.append(balance_of(ledger.sessions, "U1"))
        ledger.clock.advance(days=1)  # nobody closes the day: everything was down over midnight
    closed = ledger.close_due()
    assert [day.cycle for day in closed] == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    earned = [balances[0], balances[1] - balances[0], balances[2] - balances[1]]
    assert [day.paid["U1"] for day in closed] == earned
    assert [p.amount_cents for p in ledger.emitted("UserPaid") if isinstance(p, UserPaid)] == earned
    assert audit_check(ledger.sessions) == []


class FailingUnitOfWork(AccountingUnitOfWork):
    """Dies after `payments` UserPaid events were written, as a worker killed halfway through the close would."""

    def __init__(self, ledger: Ledger, payments: int) -> None:
        super().__init__(ledger.sessions, ledger.prices, ledger.timezone, ledger.clock)
        self.payments_left = payments

    def emit_events(self, events: list[Event]) -> None:
        for event in events:
            if event.event_name == "UserPaid":
                if self.payments_left == 0:
                    raise ConnectionError("worker lost")
                self.payments_left -= 1
        super().emit_events(events)


def test_a_close_failing_halfway_and_retried_pays_each_worker_once(ledger: Ledger) -> None:
    workers = [f"U{n}" for n in range(1, 7)]
    for worker in workers:
        ledger.complete(ledger.create(worker), worker)
    owed = {worker: balance_of(ledger.sessions, worker) for worker in workers}
    ledger.clock.advance(days=1)

    with pytest.raises(ConnectionError):
        close_day(FailingUnitOfWork(ledger, payments=3), DAY)
    retried = ledger.close_due()

    assert [day.paid for day in retried] == [owed]
    assert Counter(r.user_id for r in ledger.records("payment")) == dict.fromkeys(workers, 1)
    assert all(balance_of(ledger.sessions, worker) == 0 for worker in workers)
    assert audit_check(ledger.sessions) == []


def test_two_closes_at_once_pay_each_worker_once(ledger: Ledger) -> None:
    workers = [f"U{n}" for n in range(1, 6)]
    for worker in workers:
        ledger.complete(ledger.create(worker), worker)
    ledger.clock.advance(days=1)
    results: list[list[DayClosed]] = []
    start = threading.Barrier(2)

    def close() -> None:
        start.wait()
        results.append(ledger.close_due())

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(len(r) for r in results) == [0, 1]
    assert Counter(r.user_id for r in ledger.records("payment")) == dict.fromkeys(workers, 1)
    with ledger.sessions() as session:
        assert session.scalars(select(ClosedCycle.billing_cycle)).all() == [DAY]


def test_management_earnings_per_day(ledger: Ledger) -> None:
    u1, u2 = a_day_of_work(ledger)
    shown = earnings_by_day(ledger.sessions, DAY + timedelta(days=1), 3)
    assert shown == [(DAY + timedelta(days=1), 0), (DAY, -(u1 + u2)), (DAY - timedelta(days=1), 0)]
