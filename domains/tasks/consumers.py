"""Tasks' consumer: keeps its copy of the users, to know who may be assigned work."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from domains.kernel.consumer import Subscription
from domains.kernel.contracts import USERS, UserCreated, UserDeleted, UserRoleChanged, UserUpdated
from domains.kernel.db import table_of, upsert
from domains.kernel.events import Event
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks.handlers import reassign_tasks_of, unit_of_work
from domains.tasks.tables import Member

GROUP = "tasks"
TOPICS = (USERS,)


def on_user(uow: UnitOfWork, payload: UserCreated | UserUpdated, _event: Event) -> None:
    is_active = payload.is_active if isinstance(payload, UserUpdated) else True
    _save(uow, payload.user_id, {"role": payload.role, "is_active": is_active})


def on_user_deleted(uow: UnitOfWork, payload: UserDeleted, _event: Event) -> None:
    """A deactivated user is no longer a worker; their open tasks go to random workers."""
    member = uow.session.get(Member, payload.user_id)
    if member is None:
        uow.session.add(Member(user_id=payload.user_id, role="worker", is_active=False))
    else:
        member.is_active = False
    uow.session.flush()
    reassign_tasks_of(uow, payload.user_id)


def on_role_changed(uow: UnitOfWork, payload: UserRoleChanged, _event: Event) -> None:
    _save(uow, payload.user_id, {"role": payload.new_role})


def _save(uow: UnitOfWork, user_id: str, values: dict[str, object]) -> None:
    table = table_of(Member)
    row = {"user_id": user_id, "role": "worker", "is_active": True, **values}
    uow.session.execute(upsert(uow.session, table, ["user_id"], list(values)).values(row))


def subscription(sessions: sessionmaker[Session]) -> Subscription[UnitOfWork]:
    return Subscription(
        group=GROUP,
        topics=TOPICS,
        handlers={
            UserCreated: on_user,
            UserUpdated: on_user,
            UserDeleted: on_user_deleted,
            UserRoleChanged: on_role_changed,
        },
        unit_of_work=lambda: unit_of_work(sessions),
    )
