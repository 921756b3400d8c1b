"""Payout DMs: when a day closes, each worker is told what they earned and what was paid (or carried over)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.accounting_blocks import payout_dm, payout_text
from bot.channel_posts import OncePost, post_once
from domains.kernel.consumer import OneByOne
from domains.kernel.contracts import TRANSACTIONS, BalanceCarriedOver, UserBalanceIncreased, UserPaid, UserWithdrawn
from domains.kernel.events import Event, Payload

log = logging.getLogger(__name__)
GROUP = "payouts"
PAYMENTS: tuple[type[Payload], ...] = (UserPaid, BalanceCarriedOver)  # a set display of the two trips mypy


@dataclass
class PayoutNotifier(OneByOne):
    """A consumer group of its own: one DM per payment event, posted once under the event's id (`post_once`).

    A failed send raises, so the consumer retries the event; a sent one is never sent again, even when the answer
    was lost or the process died before recording it (Slack's record settles it).
    """

    client: WebClient
    sessions: sessionmaker[Session]
    group: str = GROUP
    topics: tuple[str, ...] = field(default=(TRANSACTIONS,))
    handles: frozenset[type[Payload]] = frozenset(PAYMENTS)
    ignores: frozenset[type[Payload]] = frozenset({UserWithdrawn, UserBalanceIncreased})  # told in the task's message
    member: str = field(default_factory=lambda: uuid.uuid4().hex)  # this process, in the group

    def apply(self, event: Event) -> bool:
        payload = event.payload()
        if not isinstance(payload, (UserPaid, BalanceCarriedOver)):
            return False
        # Posted to the user id: Slack delivers it in the app's DM, with no conversations.open (Tier 3) per payout.
        dm = {"blocks": payout_dm(payload), "text": payout_text(payload)}
        post = OncePost(key=f"payout-dm:{event.event_id}", channel=payload.user_id, content=lambda _: dm)
        if not post_once(self.client, self.sessions, post, self.member):
            return False
        log.info("told %s of the close of %s", payload.user_id, payload.billing_cycle.isoformat())
        return True
