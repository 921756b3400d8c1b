"""`/shuffle`: refused for workers, acknowledged before the work, and never interleaved with another."""

from __future__ import annotations

import json
import random
import threading

import psycopg
from sqlalchemy import text

from domains.tasks import handlers as tasks
from domains.tasks.commands import CreateTask, ShuffleTasks
from domains.tasks.handlers import _SHUFFLE_LOCK
from tests.e2e.harness import eventually
from tests.integration.slack_app import SlackApp


def assignments(app: SlackApp) -> list[tuple[str, str]]:
    with app.sessions() as session:
        rows = session.execute(text("SELECT task_id, assignee_id FROM tasks_tasks ORDER BY 1"))
        return [(task_id, assignee) for task_id, assignee in rows]


def make_tasks(app: SlackApp, count: int) -> None:
    for n in range(count):
        tasks.create_task(
            tasks.unit_of_work(app.sessions),
            CreateTask(author_id="UADMIN", title=f"Task {n}", jira_id=None),
            random.Random(n),
        )


def test_a_worker_is_refused_and_nothing_changes(app: SlackApp) -> None:
    make_tasks(app, 5)
    before = assignments(app)
    reply = app.sender.command("U1", "/shuffle", "", app.slack.response_url("shuffle"))
    assert "Only managers and admins" in reply.json()["text"]
    assert assignments(app) == before
    assert app.scalar("SELECT count(*) FROM tasks_outbox WHERE body LIKE '%TaskAssigned%'") == 5


def test_the_command_is_acknowledged_before_the_shuffle_and_answered_when_it_is_done(
    app: SlackApp, pg_url: str
) -> None:
    make_tasks(app, 3)
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as blocker:
        blocker.execute("SELECT pg_advisory_lock(%s)", (_SHUFFLE_LOCK,))  # the shuffle waits behind this
        reply = app.sender.command("UADMIN", "/shuffle", "", app.slack.response_url("shuffle"))
        assert reply.status == 200 and "Shuffling" in reply.json()["text"]
        assert app.replies("shuffle") == []
        blocker.execute("SELECT pg_advisory_unlock(%s)", (_SHUFFLE_LOCK,))
    done = eventually(lambda: app.replies("shuffle"), bool)[0].args
    assert done["text"] == "Shuffled 3 open tasks." and done["response_type"] == "ephemeral"
    with app.sessions() as session:
        holders = session.execute(text("SELECT title, assignee_id FROM tasks_tasks")).all()

    def told(sent: list[tuple[str, str]]) -> bool:  # whoever holds each task now was told so, in the shuffle's DM
        return all(any(to == f"D{who}" and title in said for to, said in sent) for title, who in holders)

    def shuffle_messages() -> list[tuple[str, str]]:
        posts = [c for c in app.slack.calls_to("chat.postMessage") if "shuffle:" in json.dumps(c.args.get("metadata"))]
        return [(app.slack.store.channel_of(c.args), json.dumps(c.args["blocks"])) for c in posts]

    eventually(shuffle_messages, told)


def test_two_shuffles_at_once_run_one_after_the_other(app: SlackApp) -> None:
    make_tasks(app, 150)
    start = threading.Barrier(2)

    def shuffle(seed: int) -> None:
        start.wait()
        tasks.shuffle_tasks(tasks.unit_of_work(app.sessions), ShuffleTasks(), random.Random(seed))

    threads = [threading.Thread(target=shuffle, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with app.sessions() as session:
        rows = session.execute(text("SELECT id, body FROM tasks_outbox WHERE body LIKE '%TaskAssigned%' ORDER BY id"))
        history: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for outbox_id, body in rows:
            data = json.loads(body)["data"]
            history.setdefault(data["task_id"], []).append((outbox_id, data))
    assert len(history) == 150 and all(len(moves) == 3 for moves in history.values())
    for (_, created), (_, first), (_, second) in history.values():
        assert first["previous_assignee_id"] == created["assignee_id"]
        assert second["previous_assignee_id"] == first["assignee_id"]
    first_ids = [moves[1][0] for moves in history.values()]
    second_ids = [moves[2][0] for moves in history.values()]
    assert max(first_ids) < min(second_ids)
