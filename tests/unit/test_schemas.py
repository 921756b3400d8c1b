"""The schema registry under schemas/ matches the models, keeps both task versions, and validates recorded events."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from jobs.schemas import SCHEMAS_DIR, drift, write
from tests.fixtures import recorded_v1_events


def test_every_model_matches_its_schema_file() -> None:
    assert drift() == [], "run `make schemas` and commit schemas/"


def test_a_model_that_changed_is_reported(tmp_path: Path) -> None:
    write(tmp_path)
    changed = tmp_path / "TaskAssigned" / "1.json"
    schema = json.loads(changed.read_text())
    del schema["properties"]["data"]["properties"]["previous_assignee_id"]
    changed.write_text(json.dumps(schema))
    (tmp_path / "TaskAssigned" / "7.json").write_text("{}")
    (tmp_path / "UserPaid" / "1.json").unlink()
    assert sorted(drift(tmp_path)) == [
        "TaskAssigned/1.json: differs from its model",
        "TaskAssigned/7.json: no model has this (name, version)",
        "UserPaid/1.json: missing",
    ]


def test_both_task_versions_are_kept() -> None:
    for name in ("TaskCreated", "TaskUpdated"):
        v1 = json.loads((SCHEMAS_DIR / name / "1.json").read_text())
        v2 = json.loads((SCHEMAS_DIR / name / "2.json").read_text())
        assert "jira_id" not in v1["properties"]["data"]["properties"]
        assert "jira_id" in v2["properties"]["data"]["required"]


def test_recorded_v1_events_validate_against_their_schema_files() -> None:
    for line in recorded_v1_events():
        envelope = json.loads(line)
        schema = json.loads((SCHEMAS_DIR / envelope["event_name"] / f"{envelope['event_version']}.json").read_text())
        Draft202012Validator(schema).validate(envelope)
        wrong_version = json.loads((SCHEMAS_DIR / envelope["event_name"] / "2.json").read_text())
        assert not Draft202012Validator(wrong_version).is_valid(envelope)
