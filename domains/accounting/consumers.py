"""Accounting's consumer group: task data, task lifecycle events, and its own copy of the users' names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.handlers import (
    AccountingUnitOfWork,
    on_task_assigned,
    on_task_completed,
    on_task_created,
    on_task_updated,
    price_named_tasks,
)
from domains.accounting.model import PriceDraw
from domains.accounting.tables import Member
from domains.kernel import contracts
from domains.kernel.clock import utcnow
from domains.kernel.consumer import Subscription
from domains.kernel.db import table_of, upsert
from domains.kernel.events import Event
from domains.kernel.unit_of_work import UnitOfWork

GROUP = "accounting"
TOPICS = (contracts.TASKS, contracts.TASK_LIFECYCLE, contracts.USERS)


def on_user(uow: UnitOfWork, payload: contracts.UserCreated | contracts.UserUpdated, _event: Event) -> None:
    is_active = payload.is_active if isinstance(payload, contracts.UserUpdated) else True
    _save(uow, payload.user_id, {"name": payload.name, "role": payload.role, "is_active": is_active})


def on_user_deleted(uow: UnitOfWork, payload: contracts.UserDeleted, _event: Event) -> None:
    _save(uow, payload.user_id, {"is_active": False})


def on_role_changed(uow: UnitOfWork, payload: contracts.UserRoleChanged, _event: Event) -> None:
    _save(uow, payload.user_id, {"role": payload.new_role})


def _save(uow: UnitOfWork, user_id: str, values: dict[str, object]) -> None:
    # A role change may arrive before the user: the name stays the Slack id until the user's own event.
    row = {"user_id": user_id, "name": user_id, "role": "worker", "is_active": True, **values}
    uow.session.execute(upsert(uow.session, table_of(Member), ["user_id"], list(values)).values(row))


def subscription(
    sessions: sessionmaker[Session], prices: PriceDraw, timezone: ZoneInfo, clock: Callable[[], datetime] = utcnow
) -> Subscription[AccountingUnitOfWork]:
    return Subscription(
        group=GROUP,
        topics=TOPICS,
        handlers={
            contracts.TaskCreatedV2: on_task_created,
            contracts.TaskUpdatedV2: on_task_updated,
            contracts.TaskAssigned: on_task_assigned,
            contracts.TaskCompleted: on_task_completed,
            contracts.UserCreated: on_user,
            contracts.UserUpdated: on_user,
            contracts.UserDeleted: on_user_deleted,
            contracts.UserRoleChanged: on_role_changed,
        },
        # What was charged stays charged; each draw of a shuffle is charged as its own TaskAssigned.
        ignores=frozenset({contracts.TaskDeleted, contracts.ShuffleCompleted}),
        unit_of_work=lambda: AccountingUnitOfWork(sessions, prices, timezone, clock),
        prepare=price_named_tasks,
    )
