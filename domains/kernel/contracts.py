"""Every event aTES publishes. Topics are Redis streams; CUD and business events travel apart."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from domains.kernel.events import Payload, register

USERS = "users"  # identity's users, and their role changes (one stream keeps them in order)
TASKS = "tasks"  # CUD: tasks as data
TASK_LIFECYCLE = "task-lifecycle"  # business: assigned, completed
PRICES = "task-prices"  # CUD and business: a task's prices
TRANSACTIONS = "transactions"  # business: money moved
AUDIT_RECORDS = "audit-records"  # CUD: the ledger's lines
BILLING_CYCLES = "billing-cycles"  # business: a billing cycle closed
SLACK_REQUESTS = "slack-requests"  # requests the gateway acknowledged, carried out by the `requests` group

# Before v2, a Jira key travelled at the front of the title: "[UP-42] Fix the beak".
_LEGACY_KEY = re.compile(r"^\s*\[([A-Z][A-Z0-9]{0,9}-[0-9]{1,7})\]\s*(.+)$", re.DOTALL)


def split_legacy_title(title: str) -> tuple[str, str | None]:
    """A v1 title's leading Jira key becomes its own field, as v2 carries it."""
    legacy = _LEGACY_KEY.match(title)
    return (legacy.group(2).strip(), legacy.group(1)) if legacy else (title, None)


Role = Literal["worker", "manager", "accountant", "admin"]
AuditKind = Literal["withdraw", "deposit", "payment"]


@register
class UserCreated(Payload):
    NAME = "UserCreated"
    VERSION = 1
    TOPIC = USERS
    user_id: str
    name: str
    email: str | None
    avatar_url: str | None
    role: Role


@register
class UserUpdated(Payload):
    NAME = "UserUpdated"
    VERSION = 1
    TOPIC = USERS
    user_id: str
    name: str
    email: str | None
    avatar_url: str | None
    role: Role
    is_active: bool


@register
class UserDeleted(Payload):
    NAME = "UserDeleted"
    VERSION = 1
    TOPIC = USERS
    user_id: str


@register
class UserRoleChanged(Payload):
    NAME = "UserRoleChanged"
    VERSION = 1
    TOPIC = USERS
    user_id: str
    old_role: Role
    new_role: Role
    changed_by: str


@register
class TaskCreatedV2(Payload):
    NAME = "TaskCreated"
    VERSION = 2
    TOPIC = TASKS
    task_id: UUID
    title: str
    jira_id: str | None
    description: str
    author_id: str
    created_at: datetime


@register
class TaskCreatedV1(Payload):
    """Before the Jira key had its own field: the key, if any, was part of the title."""

    NAME = "TaskCreated"
    VERSION = 1
    TOPIC = TASKS
    task_id: UUID
    title: str
    description: str
    author_id: str
    created_at: datetime

    def upcast(self) -> TaskCreatedV2:
        title, jira_id = split_legacy_title(self.title)
        return TaskCreatedV2(**{**self.model_dump(), "title": title, "jira_id": jira_id})


@register
class TaskUpdatedV2(Payload):
    NAME = "TaskUpdated"
    VERSION = 2
    TOPIC = TASKS
    task_id: UUID
    title: str
    jira_id: str | None
    description: str


@register
class TaskUpdatedV1(Payload):
    NAME = "TaskUpdated"
    VERSION = 1
    TOPIC = TASKS
    task_id: UUID
    title: str
    description: str

    def upcast(self) -> TaskUpdatedV2:
        title, jira_id = split_legacy_title(self.title)
        return TaskUpdatedV2(**{**self.model_dump(), "title": title, "jira_id": jira_id})


@register
class TaskDeleted(Payload):
    """v2 says who deleted it, so the task's messages can say so."""

    NAME = "TaskDeleted"
    VERSION = 2
    TOPIC = TASKS
    task_id: UUID
    deleted_by: str | None = None


@register
class TaskDeletedV1(Payload):
    NAME = "TaskDeleted"
    VERSION = 1
    TOPIC = TASKS
    task_id: UUID

    def upcast(self) -> TaskDeleted:
        return TaskDeleted(task_id=self.task_id, deleted_by=None)


@register
class TaskAssigned(Payload):
    """v2 names the shuffle that drew it (None for any other assignment), so a shuffle's draws can be told together."""

    NAME = "TaskAssigned"
    VERSION = 2
    TOPIC = TASK_LIFECYCLE
    task_id: UUID
    assignee_id: str
    previous_assignee_id: str | None
    shuffle_id: UUID | None = None


@register
class TaskAssignedV1(Payload):
    NAME = "TaskAssigned"
    VERSION = 1
    TOPIC = TASK_LIFECYCLE
    task_id: UUID
    assignee_id: str
    previous_assignee_id: str | None

    def upcast(self) -> TaskAssigned:
        return TaskAssigned(**self.model_dump(), shuffle_id=None)


@register
class ShuffleCompleted(Payload):
    """A shuffle's last event, after all of its TaskAssigned on the same stream: `moved` tasks drawn anew."""

    NAME = "ShuffleCompleted"
    VERSION = 1
    TOPIC = TASK_LIFECYCLE
    shuffle_id: UUID
    shuffled_by: str | None
    moved: int


@register
class TaskCompleted(Payload):
    NAME = "TaskCompleted"
    VERSION = 1
    TOPIC = TASK_LIFECYCLE
    task_id: UUID
    assignee_id: str
    completed_at: datetime


@register
class TaskPriceCreated(Payload):
    NAME = "TaskPriceCreated"
    VERSION = 1
    TOPIC = PRICES
    task_id: UUID
    fee_cents: int
    reward_cents: int


@register
class PriceAssigned(Payload):
    NAME = "PriceAssigned"
    VERSION = 1
    TOPIC = PRICES
    task_id: UUID
    fee_cents: int
    reward_cents: int


@register
class UserWithdrawn(Payload):
    NAME = "UserWithdrawn"
    VERSION = 1
    TOPIC = TRANSACTIONS
    user_id: str
    task_id: UUID
    amount_cents: int
    billing_cycle: date


@register
class UserBalanceIncreased(Payload):
    NAME = "UserBalanceIncreased"
    VERSION = 1
    TOPIC = TRANSACTIONS
    user_id: str
    task_id: UUID
    amount_cents: int
    billing_cycle: date


@register
class UserPaid(Payload):
    NAME = "UserPaid"
    VERSION = 1
    TOPIC = TRANSACTIONS
    user_id: str
    amount_cents: int
    earned_cents: int
    billing_cycle: date


@register
class BalanceCarriedOver(Payload):
    """The day closed with this user's balance negative: nothing paid, the debt carries into the next day."""

    NAME = "BalanceCarriedOver"
    VERSION = 1
    TOPIC = TRANSACTIONS
    user_id: str
    balance_cents: int
    earned_cents: int
    billing_cycle: date


@register
class BillingCycleClosed(Payload):
    """A billing cycle closed. Every money event of the cycle was written to the outbox before this one;
    the counts let a reader tell when it has applied them all."""

    NAME = "BillingCycleClosed"
    VERSION = 1
    TOPIC = BILLING_CYCLES
    billing_cycle: date
    closed_at: datetime
    audit_records: int  # the cycle's audit records: withdrawals, deposits and the close's payments
    fees_cents: int
    rewards_cents: int


@register
class AuditRecordCreated(Payload):
    NAME = "AuditRecordCreated"
    VERSION = 1
    TOPIC = AUDIT_RECORDS
    record_id: UUID
    user_id: str
    kind: AuditKind
    amount_cents: int
    balance_after_cents: int
    task_id: UUID | None
    task_title: str | None
    jira_id: str | None
    billing_cycle: date
    created_at: datetime
