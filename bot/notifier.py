"""The `notifier` group: the messages aTES posts about tasks, and keeping them true.

A task's new assignee is told (one message per worker per shuffle), with the fee charged and the reward on offer;
an edit, a delete and a completion bring the task's earlier messages up to date; its author is told when it is done.
What each event means is recorded in the database (bot/task_messages.py), and the batch is acknowledged; a sending
thread of the group's own sends what is due (bot/message_sender.py) as it is recorded, so a slow Slack or a channel
waiting for its pace never holds up reading the next events.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.message_sender import MessageSender
from bot.on_demand import OnDemandThread
from bot.task_messages import record_events
from domains.kernel import contracts
from domains.kernel.events import Event, Payload

log = logging.getLogger(__name__)
GROUP = "notifier"
SEND_THREAD = "notifier-send"
MAX_PAUSE_S = 10.0


@dataclass
class Notifier:
    """Each batch is recorded in one transaction; the sending thread then sends what is due. A redelivered batch
    records nothing new and sends nothing twice; a send that fails (Slack or the database away) is tried again after
    a pause, the messages staying recorded meanwhile.

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
    _sending: OnDemandThread = field(init=False, repr=False)
    _failures: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.sender = MessageSender(self.client, self.sessions)
        self._sending = OnDemandThread(SEND_THREAD, self._send_due, stopping=self.sender.stopping)

    def apply(self, event: Event) -> bool:
        self.apply_many([event])
        return True

    def apply_many(self, events: list[Event]) -> None:
        record_events(self.sessions, events)
        self.resume()

    def stop_with(self, stop: threading.Event) -> None:
        """The sending thread ends with the process: once `stop` is set, after the messages in hand."""
        self.sender.stopping = self._sending.stopping = stop

    def resume(self) -> None:
        """Have the sending thread send what is due (started when there is none; it ends once nothing is left)."""
        self._sending.wake()

    def _send_due(self) -> None:
        try:
            self.sender.flush()
            self._failures = 0
        except Exception:  # Slack or the database away: the messages stay recorded, and go once it is back
            self._failures += 1
            log.exception("could not send the task messages due (attempt %d); trying again", self._failures)
            self.sender.stopping.wait(min(0.2 * 2**self._failures, MAX_PAUSE_S))
            self._sending.wake()
