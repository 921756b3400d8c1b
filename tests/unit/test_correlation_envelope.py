"""The envelope's optional correlation id: written by the fast path as make_event writes it, valid in the schema
files, and absent from older events, which still validate."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from jsonschema import Draft202012Validator

from domains.kernel.contracts import TaskAssigned
from domains.kernel.events import Payload, make_event, new_outgoing, parse_event
from jobs.schemas import SCHEMAS_DIR

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def assigned() -> TaskAssigned:
    return TaskAssigned(task_id=uuid.uuid4(), assignee_id="U1", previous_assignee_id=None)


def test_the_fast_path_writes_each_correlation_as_make_event_does() -> None:
    correlation = uuid.uuid4()
    payloads: list[Payload] = [assigned(), assigned()]
    rows = new_outgoing("tasks", payloads, AT, [correlation, None])
    for row, payload, expected in zip(rows, payloads, [correlation, None], strict=True):
        event = parse_event(row.body)
        assert event.correlation_id == expected
        made = make_event("tasks", payload, event_time=AT, correlation_id=expected)
        assert made.model_copy(update={"event_id": event.event_id}).to_json() == row.body


def test_an_event_starts_a_correlation_under_its_own_id_unless_it_carries_one() -> None:
    started = make_event("tasks", assigned())
    carried = make_event("tasks", assigned(), correlation_id=started.correlation)
    assert started.correlation == started.event_id
    assert carried.correlation == started.event_id


def test_with_and_without_a_correlation_an_envelope_validates_against_its_schema_file() -> None:
    schema = json.loads((SCHEMAS_DIR / TaskAssigned.NAME / f"{TaskAssigned.VERSION}.json").read_text())
    new = json.loads(make_event("tasks", assigned(), correlation_id=uuid.uuid4()).to_json())
    old = {name: value for name, value in new.items() if name != "correlation_id"}
    for envelope in (new, old, {**new, "correlation_id": None}):
        Draft202012Validator(schema).validate(envelope)
    assert parse_event(json.dumps(old)).correlation_id is None
