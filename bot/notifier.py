"""The `notifier` group: the messages aTES posts about tasks, and keeping them true.

A task's new assignee is told (one message per worker per shuffle), with the fee charged and the reward on offer;
an edit, a delete and a completion bring the task's earlier messages up to date; its author is told when it is done.
What each event means is recorded in the database first (bot/task_messages.py), then sent (bot/message_sender.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.message_sender import MessageSender
from bot.task_messages import record_events
from domains.kernel import contracts
from domains.kernel.events import Event, Payload

GROUP = "notifier"


@dataclass
class Notifier:
    """Each batch is recorded in one transaction, then whatever is due is sent; a retried batch sends nothing twice.

    Accounting's audit records are read too: a withdrawal means the task is priced (its message can say the fee
    and the reward), a deposit that the reward was credited (Done can say how much, and the new balance).
    """

    client: WebClient
    sessions: sessionmaker[Session]
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(contracts.TASK_LIFECYCLE, contracts.TASKS, contracts.AUDIT_RECORDS))
    handles: frozenset[type[Payload]] = frozenset(
        {
            contracts.TaskAssigned,
            contracts.ShuffleCompleted,
            contracts.TaskUpdatedV2,
            contracts.TaskDeleted,
            contracts.AuditRecordCreated,
        }
    )
    # A new task is told by its assignment; a completion by the reward's audit record, which says how much.
    ignores: frozenset[type[Payload]] = frozenset({contracts.TaskCreatedV2, contracts.TaskCompleted})
    sender: MessageSender = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sender = MessageSender(self.client, self.sessions)

    def apply(self, event: Event) -> bool:
        self.apply_many([event])
        return True

    def apply_many(self, events: list[Event]) -> None:
        record_events(self.sessions, events)
        self.sender.flush()
