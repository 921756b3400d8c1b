"""Property: whatever happens, the books add up and every positive balance is paid exactly once per day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from domains.accounting.queries import audit_check, earnings_by_day, last_closed_cycle
from domains.accounting.tables import AuditRecord, ClosedCycle, PricedTask
from tests.integration.ledger import Ledger

ZONE = "Europe/Berlin"
START = datetime(2026, 3, 27, 9, 0, tzinfo=ZoneInfo(ZONE))  # a daylight-saving weekend ahead
WORKERS = ["U1", "U2", "U3", "U4"]

worker = st.integers(0, len(WORKERS) - 1)
task = st.integers(0, 4)  # small, so most picks hit a task that exists
create = st.tuples(st.just("create"), worker)
complete = st.tuples(st.just("complete"), task)
operation = st.one_of(  # money moves weigh double, so most runs move money on several days
    create,
    create,
    complete,
    complete,
    st.tuples(st.just("assign"), task, worker),
    st.tuples(st.just("assign_late"), task, worker, st.integers(6, 40)),  # heard of hours after it happened
    st.tuples(st.just("shuffle"), st.lists(worker, min_size=1, max_size=4)),
    st.tuples(st.just("redeliver"), st.integers(0, 50)),
    st.tuples(st.just("wait"), st.integers(1, 4)),
)
day = st.tuples(st.lists(operation, max_size=8), st.booleans())  # a day's work, and whether its close runs


@dataclass
class World:
    """What the test itself knows happened: tasks, their assignees, fees charged and rewards earned."""

    ledger: Ledger
    tasks: list[UUID] = field(default_factory=list)
    assignee: dict[UUID, str] = field(default_factory=dict)
    done: set[UUID] = field(default_factory=set)
    assignments: Counter[tuple[UUID, str]] = field(default_factory=Counter)
    completions: dict[UUID, str] = field(default_factory=dict)

    def run(self, op: tuple[object, ...]) -> None:
        name, *args = op
        getattr(self, f"do_{name}")(*args)

    def do_create(self, who: int) -> None:
        task_id = self.ledger.create(WORKERS[who])
        self.tasks.append(task_id)
        self._assigned(task_id, WORKERS[who])

    def do_assign(self, index: int, who: int) -> None:
        if self._open(index) is not None:
            self._reassign(self.tasks[index], WORKERS[who])

    def do_assign_late(self, index: int, who: int, hours: int) -> None:
        if self._open(index) is not None:
            self._reassign(self.tasks[index], WORKERS[who], self.ledger.clock() - timedelta(hours=hours))

    def do_shuffle(self, picks: list[int]) -> None:
        open_tasks = [t for t in self.tasks if t not in self.done]
        for n, task_id in enumerate(open_tasks):
            self._reassign(task_id, WORKERS[picks[n % len(picks)]])

    def do_complete(self, index: int) -> None:
        task_id = self._open(index)
        if task_id is not None:
            self.ledger.complete(task_id, self.assignee[task_id])
            self.done.add(task_id)
            self.completions[task_id] = self.assignee[task_id]

    def do_redeliver(self, index: int) -> None:
        delivered = self.ledger.delivered
        if delivered:
            assert not self.ledger.redeliver(delivered[index % len(delivered)])

    def do_wait(self, hours: int) -> None:
        self.ledger.clock.advance(hours=hours)

    def next_day(self, closes: bool) -> None:
        """On to the next morning; the close ran just after midnight, or everything was down over it."""
        now = self.ledger.clock()
        self.ledger.clock.now = datetime.combine(now.date() + timedelta(days=1), time(0, 1), tzinfo=now.tzinfo)
        if closes:
            self.ledger.close_due()
        self.ledger.clock.advance(hours=8)

    def _open(self, index: int) -> UUID | None:
        if index < len(self.tasks) and self.tasks[index] not in self.done:
            return self.tasks[index]
        return None

    def _reassign(self, task_id: UUID, who: str, at: datetime | None = None) -> None:
        self.ledger.assign(task_id, who, at)
        self._assigned(task_id, who)

    def _assigned(self, task_id: UUID, who: str) -> None:
        self.assignee[task_id] = who
        self.assignments[(task_id, who)] += 1


def fresh(ledger: Ledger) -> None:
    with ledger.engine.begin() as connection:
        tables = "accounting_accounts, accounting_tasks, accounting_audit_records, accounting_closed_cycles"
        connection.execute(text(f"TRUNCATE {tables}, accounting_inbox, accounting_outbox"))
        connection.execute(text("UPDATE accounting_books SET last_closed_cycle = NULL"))
    ledger.clock.now = START


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(day, min_size=1, max_size=4))
def test_the_books_always_add_up(pg_url: str, days: list[tuple[list[tuple[object, ...]], bool]]) -> None:
    ledger = Ledger.on(pg_url, START, ZONE)
    try:
        fresh(ledger)
        world = World(ledger)
        for operations, closes in days:
            for op in operations:
                world.run(op)
            world.next_day(closes)
        ledger.close_due()
        assert ledger.close_due() == []
        check_books(world)
    finally:
        ledger.dispose()


def check_books(world: World) -> None:
    ledger = world.ledger
    assert audit_check(ledger.sessions) == []
    with ledger.sessions() as session:
        prices = {UUID(t.task_id): (t.fee_cents, t.reward_cents) for t in session.scalars(select(PricedTask))}
    fees: Counter[str] = Counter()
    for (task_id, who), times in world.assignments.items():
        fees[who] += prices[task_id][0] * times
    rewards: Counter[str] = Counter()
    for task_id, who in world.completions.items():
        rewards[who] += prices[task_id][1]
    records = ledger.records()
    for who in WORKERS:
        assert -sum(r.amount_cents for r in records if r.user_id == who and r.kind == "withdraw") == fees[who]
        assert sum(r.amount_cents for r in records if r.user_id == who and r.kind == "deposit") == rewards[who]
    cycles = sorted({r.billing_cycle for r in records})
    if cycles:
        earned = earnings_by_day(ledger.sessions, cycles[-1], (cycles[-1] - cycles[0]).days + 1)
        assert sum(cents for _, cents in earned) == sum(fees.values()) - sum(rewards.values())
    check_payments(ledger, records)


def check_payments(ledger: Ledger, records: list[AuditRecord]) -> None:
    """Each closed day: every positive balance at its end paid once, exactly that much; no one else paid."""
    last_closed = last_closed_cycle(ledger.sessions)
    with ledger.sessions() as session:
        closed_at = {row.billing_cycle: row.closed_at for row in session.scalars(select(ClosedCycle))}
    assert all(r.created_at <= closed_at[r.billing_cycle] for r in records if r.billing_cycle in closed_at)
    payments = Counter((r.user_id, r.billing_cycle) for r in records if r.kind == "payment")
    assert all(count == 1 for count in payments.values())
    for cycle in sorted({r.billing_cycle for r in records}):
        if last_closed is None or cycle > last_closed:
            assert not any(r.kind == "payment" and r.billing_cycle == cycle for r in records)
            continue
        for who in WORKERS:
            before = sum(
                r.amount_cents
                for r in records
                if r.user_id == who and (r.billing_cycle < cycle or (r.billing_cycle == cycle and r.kind != "payment"))
            )
            paid = [
                -r.amount_cents
                for r in records
                if r.user_id == who and r.billing_cycle == cycle and r.kind == "payment"
            ]
            assert paid == ([before] if before > 0 else [])
