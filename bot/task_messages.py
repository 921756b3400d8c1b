"""The record of task messages: what each event means for them, written in the database before anything is sent.

Eager: a reassignment outside a shuffle, an edit, a delete and a completion mark every earlier message of the task
stale, and the sender brings each up to date (chat.update). Lazy: a shuffle marks nothing; an old message whose
task a shuffle moved is brought up to date when its button is clicked (bot/requests.py), because thousands of
chat.update calls at Slack's Tier 3 pace would take longer than the shuffle's own messages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.message_tables import MessageTask, Shuffle, ShuffleDraw, TaskFacts, TaskMessage
from domains.kernel.clock import utcnow
from domains.kernel.contracts import (
    AuditRecordCreated,
    ShuffleCompleted,
    TaskAssigned,
    TaskDeleted,
    TaskUpdatedV2,
)
from domains.kernel.db import dialect_insert, table_of, upsert
from domains.kernel.events import Event
from domains.tasks.queries import get_task


@dataclass(frozen=True)
class Planned:
    """A message to post: its key, kind, recipient, who it is from, and its tasks (id, new to the recipient)."""

    key: str
    kind: str
    user_id: str
    actor_id: str | None
    tasks: list[tuple[str, bool]]
    correlation_id: UUID | None = None


def record_events(sessions: sessionmaker[Session], events: list[Event]) -> None:
    """Write what these events mean for task messages, in one transaction; safe to repeat."""
    payloads = [event.payload() for event in events]
    credited = [p.task_id for p in payloads if isinstance(p, AuditRecordCreated) and p.kind == "deposit" and p.task_id]
    authors = {str(t): view.author_id for t in credited if (view := get_task(sessions, t)) is not None}
    draws = [_draw(p) for p in payloads if isinstance(p, TaskAssigned) and p.shuffle_id is not None]
    with sessions() as session:  # read first: on SQLite a second transaction would wait for this one's write lock
        if draws:  # a shuffle's draws, many to a batch: one statement
            session.execute(dialect_insert(session, table_of(ShuffleDraw)).values(draws).on_conflict_do_nothing())
        for event in events:
            _record(session, event, authors)
        session.commit()


def _record(session: Session, event: Event, authors: dict[str, str]) -> None:
    payload = event.payload()
    if isinstance(payload, TaskAssigned) and payload.shuffle_id is None:  # one reassignment: old messages told now
        task_id = str(payload.task_id)
        mark_stale(session, task_id)
        tasks = [(task_id, True)]
        plan(
            session,
            Planned(f"assigned:{event.event_id}", "assigned", payload.assignee_id, None, tasks, event.correlation),
        )
    elif isinstance(payload, ShuffleCompleted):
        row = {"shuffle_id": str(payload.shuffle_id), "shuffled_by": payload.shuffled_by, "moved": payload.moved}
        session.execute(dialect_insert(session, table_of(Shuffle)).values(row).on_conflict_do_nothing())
    elif isinstance(payload, TaskUpdatedV2):
        mark_stale(session, str(payload.task_id))
    elif isinstance(payload, TaskDeleted):
        _save_facts(session, str(payload.task_id), deleted_by=payload.deleted_by)
        mark_stale(session, str(payload.task_id))
    elif isinstance(payload, AuditRecordCreated) and payload.kind == "deposit" and payload.task_id is not None:
        task_id = str(payload.task_id)
        _save_facts(
            session, task_id, reward_cents=payload.amount_cents, balance_after_cents=payload.balance_after_cents
        )
        mark_stale(session, task_id)
        author = authors.get(task_id)
        if author is not None and author != payload.user_id:
            tasks = [(task_id, False)]
            plan(session, Planned(f"author:{task_id}", "author", author, payload.user_id, tasks, event.correlation))


def _draw(assigned: TaskAssigned) -> dict[str, object]:
    """A shuffle's draw, kept until the shuffle is told; `kept` when it went back to its holder."""
    return {
        "shuffle_id": str(assigned.shuffle_id),
        "task_id": str(assigned.task_id),
        "assignee_id": assigned.assignee_id,
        "kept": assigned.previous_assignee_id == assigned.assignee_id,
    }


def plan(session: Session, planned: Planned) -> None:
    """Record a message to post (once: its key names it)."""
    row = {
        "key": planned.key,
        "kind": planned.kind,
        "user_id": planned.user_id,
        "actor_id": planned.actor_id,
        "state": "pending",
        "stale": 0,
        "created_at": utcnow(),
        "correlation_id": str(planned.correlation_id) if planned.correlation_id else None,
    }
    inserted = session.execute(
        dialect_insert(session, table_of(TaskMessage)).values(row).on_conflict_do_nothing().returning(TaskMessage.key)
    ).first()
    if inserted is None:
        return
    rows = [
        {"key": planned.key, "task_id": task_id, "position": n, "is_new": is_new}
        for n, (task_id, is_new) in enumerate(planned.tasks)
    ]
    session.execute(table_of(MessageTask).insert(), rows)


def mark_stale(session: Session, task_id: str) -> None:
    """Every message showing this task is to be brought up to date (one not posted yet, once it is)."""
    keys = select(MessageTask.key).where(MessageTask.task_id == task_id)
    session.execute(
        update(TaskMessage)
        .where(TaskMessage.key.in_(keys), TaskMessage.state.in_(("pending", "posting", "posted")))
        .values(stale=TaskMessage.stale + 1)
    )


def _save_facts(session: Session, task_id: str, **facts: object) -> None:
    statement = upsert(session, table_of(TaskFacts), ["task_id"], list(facts))
    session.execute(statement.values(task_id=task_id, **facts))


def plan_completed_shuffles(sessions: sessionmaker[Session]) -> None:
    """Each shuffle whose draws have all arrived becomes one message per worker, once."""
    with sessions() as session:
        for shuffle in session.scalars(select(Shuffle)).all():
            draws = session.execute(
                select(ShuffleDraw.assignee_id, ShuffleDraw.task_id, ShuffleDraw.kept)
                .where(ShuffleDraw.shuffle_id == shuffle.shuffle_id)
                .order_by(ShuffleDraw.kept, ShuffleDraw.task_id)
            ).all()
            if len(draws) < shuffle.moved:
                continue  # another member of the group still holds some of its draws
            by_worker: dict[str, list[tuple[str, bool]]] = defaultdict(list)
            for assignee_id, task_id, kept in draws:
                by_worker[assignee_id].append((task_id, not kept))
            for worker, tasks in by_worker.items():
                key = f"shuffle:{shuffle.shuffle_id}:{worker}"
                plan(session, Planned(key, "shuffle", worker, shuffle.shuffled_by, tasks))
            session.execute(delete(ShuffleDraw).where(ShuffleDraw.shuffle_id == shuffle.shuffle_id))
            session.delete(shuffle)
        session.commit()


def shuffled_by(session: Session, task_id: str, holder: str) -> str | None:
    """Whose shuffle gave `holder` this task, if a shuffle did (for "Moved to @X by @Max's shuffle")."""
    latest = session.execute(
        select(TaskMessage.kind, TaskMessage.actor_id)
        .join(MessageTask, MessageTask.key == TaskMessage.key)
        .where(MessageTask.task_id == task_id, TaskMessage.user_id == holder, TaskMessage.kind != "author")
        .order_by(TaskMessage.created_at.desc())
        .limit(1)
    ).first()
    return latest.actor_id if latest is not None and latest.kind == "shuffle" else None
