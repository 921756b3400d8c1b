"""Tasks' rules: parsing `/task new`, choosing a worker, who may complete."""

from __future__ import annotations

import random
import uuid

import pytest

from domains.tasks.model import (
    InvalidTask,
    NewTask,
    NotAssignee,
    NoWorkers,
    TaskClosed,
    TaskView,
    check_can_complete,
    parse_new_task,
    pick_worker,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[UP-42] Fix the beak", NewTask("Fix the beak", "UP-42")),
        ("  [up-7]   Fix   the beak ", NewTask("Fix the beak", "UP-7")),
        ("Fix the beak", NewTask("Fix the beak", None)),
        ("[] Fix the beak", NewTask("Fix the beak", None)),
    ],
)
def test_the_jira_key_leaves_the_title(text: str, expected: NewTask) -> None:
    assert parse_new_task(text) == expected


@pytest.mark.parametrize("text", ["Fix [the] beak", "[UP-42] Fix the ] beak", "", "[UP-1]", "[UP 42] x"])
def test_bad_titles_are_refused(text: str) -> None:
    with pytest.raises(InvalidTask):
        parse_new_task(text)


def test_a_worker_is_picked_from_the_workers_and_none_means_no_task() -> None:
    rng = random.Random(3)
    assert {pick_worker(["U1", "U2"], rng) for _ in range(50)} == {"U1", "U2"}
    with pytest.raises(NoWorkers):
        pick_worker([], rng)


def test_only_the_assignee_completes_an_open_task() -> None:
    task = TaskView(uuid.uuid4(), "Fix", None, "", "open", "U9", "U1")
    check_can_complete(task, "U1")
    with pytest.raises(NotAssignee):
        check_can_complete(task, "U2")
    with pytest.raises(TaskClosed):
        check_can_complete(TaskView(task.task_id, "Fix", None, "", "done", "U9", "U1"), "U1")


def test_a_v1_title_s_leading_jira_key_becomes_its_own_field_when_upcast() -> None:
    from datetime import UTC, datetime

    from domains.kernel.contracts import TaskCreatedV1, TaskUpdatedV1

    task_id = uuid.uuid4()
    created = TaskCreatedV1(
        task_id=task_id,
        title="[UP-7] Polish",
        description="",
        author_id="U1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    ).upcast()
    updated = TaskUpdatedV1(task_id=task_id, title="Polish [the] beak", description="").upcast()
    assert (created.title, created.jira_id) == ("Polish", "UP-7")
    assert (updated.title, updated.jira_id) == ("Polish [the] beak", None)
