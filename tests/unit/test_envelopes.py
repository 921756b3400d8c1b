"""The outbox's own envelopes are exactly what `make_event(...).to_json()` writes, for every contract."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domains.kernel.contracts import (
    AuditRecordCreated,
    TaskAssigned,
    TaskCreatedV2,
    UserPaid,
    UserWithdrawn,
)
from domains.kernel.events import Event, Payload, make_event, new_ids, new_outgoing, outgoing, parse_event

TASK = UUID("6f1c1c36-8f53-4d49-9a43-0b7c1d1e2f3a")
PAYLOADS: list[Payload] = [
    TaskAssigned(task_id=TASK, assignee_id="W1", previous_assignee_id=None),
    TaskCreatedV2(
        task_id=TASK,
        title='A "quoted" title\\ with \ttab and ünïcode',
        jira_id="UP-1",
        description="line\nbreak",
        author_id="U1",
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    ),
    UserWithdrawn(user_id="W1", task_id=TASK, amount_cents=1_234, billing_cycle=date(2026, 1, 2)),
    UserPaid(user_id="W1", amount_cents=1, earned_cents=-5, billing_cycle=date(2026, 1, 2)),
    AuditRecordCreated(
        record_id=uuid.uuid4(),
        user_id="W1",
        kind="withdraw",
        amount_cents=-1_234,
        balance_after_cents=-1_234,
        task_id=None,
        task_title=None,
        jira_id=None,
        billing_cycle=date(2026, 1, 2),
        created_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    ),
]
TIMES = [
    datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 10, tzinfo=timezone(timedelta(hours=-5))),
]


@pytest.mark.parametrize("at", TIMES)
def test_new_envelopes_are_byte_for_byte_what_make_event_writes(at: datetime) -> None:
    for row, payload in zip(new_outgoing("accounting", PAYLOADS, at), PAYLOADS, strict=True):
        event = parse_event(row.body)
        assert str(event.event_id) == row.event_id
        assert event.payload() == payload
        assert outgoing(event) == row
        made = make_event("accounting", payload, event_time=at).model_copy(update={"event_id": event.event_id})
        assert made.to_json() == row.body
        assert list(json.loads(row.body)) == list(Event.model_fields)


def test_new_ids_are_distinct_version_4_uuids_in_their_usual_text() -> None:
    ids = new_ids(1_000)
    assert len(set(ids)) == 1_000
    for text in ids:
        parsed = UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == text
    assert new_ids(0) == []
