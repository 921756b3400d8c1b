"""A consumer group names every event class on its topics as handled or ignored, or it does not start."""

from __future__ import annotations

import pytest

from domains.kernel.consumer import Subscription, UndeclaredEvents, events_on
from domains.kernel.contracts import (
    USERS,
    TaskAssigned,
    TaskAssignedV1,
    UserCreated,
    UserDeleted,
    UserRoleChanged,
    UserUpdated,
)
from domains.kernel.events import Event
from domains.kernel.unit_of_work import UnitOfWork


def no_unit_of_work() -> UnitOfWork:
    raise AssertionError("a declaration check opens no transaction")


def applied(_uow: UnitOfWork, _payload: object, _event: Event) -> None:
    raise AssertionError("nothing is applied here")


def users_group(**overrides: object) -> Subscription[UnitOfWork]:
    declared: dict[str, object] = {
        "group": "test-users",
        "topics": (USERS,),
        "handlers": {UserCreated: applied, UserUpdated: applied, UserDeleted: applied},
        "ignores": frozenset({UserRoleChanged}),
        "unit_of_work": no_unit_of_work,
    }
    return Subscription(**{**declared, **overrides})  # type: ignore[arg-type]


def test_a_group_that_handles_or_ignores_every_class_on_its_topics_starts() -> None:
    assert users_group().handles | users_group().ignores == events_on([USERS])


def test_an_event_class_neither_handled_nor_ignored_stops_the_group_at_start_up() -> None:
    with pytest.raises(UndeclaredEvents, match="UserRoleChanged is neither handled nor ignored"):
        users_group(ignores=frozenset())


def test_a_class_from_another_topic_is_refused_as_not_on_the_groups_topics() -> None:
    handlers = {UserCreated: applied, UserUpdated: applied, UserDeleted: applied, TaskAssigned: applied}
    with pytest.raises(UndeclaredEvents, match="TaskAssigned is not on its topics"):
        users_group(handlers=handlers)


def test_handled_and_ignored_at_once_is_refused() -> None:
    with pytest.raises(UndeclaredEvents, match="UserCreated is both handled and ignored"):
        users_group(ignores=frozenset({UserRoleChanged, UserCreated}))


def test_a_version_upcast_to_another_is_not_declared_its_consumers_see_the_newer_one() -> None:
    on_lifecycle = events_on(["task-lifecycle"])
    assert TaskAssigned in on_lifecycle and TaskAssignedV1 not in on_lifecycle
