"""What a log line is about: the consumer group, the event being applied and the correlation it belongs to.

Set around a piece of work (`about(...)`), added to every record logged inside it by `ContextFilter`, so JSON
logs from every process can be followed from a Slack request to each event it caused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from uuid import UUID

from domains.kernel.events import Event

FIELDS = ("group", "event_id", "correlation_id")
_current: ContextVar[dict[str, str]] = ContextVar("ates_log_context", default={})  # noqa: B039 (never mutated)


@contextmanager
def about(**fields: str | UUID | None) -> Iterator[None]:
    """Log lines inside carry these fields (on top of those set outside)."""
    token = _current.set({**_current.get(), **{k: str(v) for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _current.reset(token)


def about_event(event: Event) -> AbstractContextManager[None]:
    return about(event_id=event.event_id, correlation_id=event.correlation)


def about_body(body: str) -> AbstractContextManager[None]:
    """The same for a message not yet validated (it may not be an event at all)."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return about()
    if not isinstance(envelope, dict):
        return about()
    event_id = envelope.get("event_id")
    return about(event_id=event_id, correlation_id=envelope.get("correlation_id") or event_id)


class ContextFilter(logging.Filter):
    """Adds the current group, event id and correlation id (None outside any) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, context.get(name))
        return True
