"""Events as the other domains publish them, for feeding analytics in tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from uuid import UUID

from domains.kernel.contracts import (
    AuditKind,
    AuditRecordCreated,
    PriceAssigned,
    TaskCompleted,
    TaskCreatedV1,
    TaskCreatedV2,
    TaskPriceCreated,
    UserBalanceIncreased,
    UserWithdrawn,
)
from domains.kernel.events import Event, make_event


def created_v1(task_id: UUID, title: str) -> Event:
    return make_event(
        "tasks", TaskCreatedV1(task_id=task_id, title=title, description="", author_id="UA", created_at=_now())
    )


def created_v2(task_id: UUID, title: str, jira_id: str | None) -> Event:
    return make_event(
        "tasks",
        TaskCreatedV2(task_id=task_id, title=title, jira_id=jira_id, description="", author_id="UA", created_at=_now()),
    )


def priced(task_id: UUID, reward_cents: int, fee_cents: int = 1_500) -> list[Event]:
    return [
        make_event("accounting", TaskPriceCreated(task_id=task_id, fee_cents=fee_cents, reward_cents=reward_cents)),
        make_event("accounting", PriceAssigned(task_id=task_id, fee_cents=fee_cents, reward_cents=reward_cents)),
    ]


def completed(task_id: UUID, at: datetime, user_id: str = "U1") -> Event:
    return make_event("tasks", TaskCompleted(task_id=task_id, assignee_id=user_id, completed_at=at))


def fee(user_id: str, cents: int, cycle: date, task_id: UUID | None = None) -> Event:
    payload = UserWithdrawn(user_id=user_id, task_id=task_id or uuid.uuid4(), amount_cents=cents, billing_cycle=cycle)
    return make_event("accounting", payload)


def reward(user_id: str, cents: int, cycle: date, task_id: UUID | None = None) -> Event:
    payload = UserBalanceIncreased(
        user_id=user_id, task_id=task_id or uuid.uuid4(), amount_cents=cents, billing_cycle=cycle
    )
    return make_event("accounting", payload)


def record(user_id: str, amount_cents: int, balance_after_cents: int, cycle: date) -> Event:
    kind: AuditKind = "deposit" if amount_cents > 0 else "withdraw"
    payload = AuditRecordCreated(
        record_id=uuid.uuid4(),
        user_id=user_id,
        kind=kind,
        amount_cents=amount_cents,
        balance_after_cents=balance_after_cents,
        task_id=None,
        task_title=None,
        jira_id=None,
        billing_cycle=cycle,
        created_at=_now(),
    )
    return make_event("accounting", payload)


def _now() -> datetime:
    return datetime.now(UTC)
