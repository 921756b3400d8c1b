"""The event envelope and the registry of contracts, one pydantic model per (name, version)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domains.kernel.clock import utcnow


class InvalidEvent(Exception):
    """A message that is not a valid event of a known (name, version): it goes to the dead-letter stream."""


class Payload(BaseModel):
    """The `data` of an event; each subclass is one (name, version) contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    NAME: ClassVar[str]
    VERSION: ClassVar[int]
    TOPIC: ClassVar[str]

    def upcast(self) -> Payload:
        """The same fact in the newest version of this event; consumers only see that."""
        return self


class Event(BaseModel):
    """The envelope every event travels in."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    event_name: str
    event_version: int
    event_time: datetime = Field(default_factory=utcnow)
    producer: str
    data: dict[str, Any]

    @property
    def topic(self) -> str:
        return contract(self.event_name, self.event_version).TOPIC

    def payload(self) -> Payload:
        """The validated data, upcast to the newest version."""
        return self._payload

    @cached_property
    def _payload(self) -> Payload:  # validated once: the consumer checks it on reading, handlers use it
        model = contract(self.event_name, self.event_version)
        try:
            return model.model_validate(self.data).upcast()
        except ValidationError as error:
            raise InvalidEvent(f"{self.event_name} v{self.event_version}: {error}") from error

    def to_json(self) -> str:
        return self.model_dump_json()


_REGISTRY: dict[tuple[str, int], type[Payload]] = {}


def register(model: type[Payload]) -> type[Payload]:
    """Class decorator: add a contract to the registry."""
    _REGISTRY[(model.NAME, model.VERSION)] = model
    return model


def contract(name: str, version: int) -> type[Payload]:
    try:
        return _REGISTRY[(name, version)]
    except KeyError:
        raise InvalidEvent(f"unknown event {name} v{version}") from None


def contracts() -> dict[tuple[str, int], type[Payload]]:
    return dict(_REGISTRY)


def make_event(producer: str, payload: Payload, *, event_time: datetime | None = None) -> Event:
    """Wrap a payload in a new envelope (validated: a payload object is already its model)."""
    return Event(
        event_name=payload.NAME,
        event_version=payload.VERSION,
        event_time=event_time or utcnow(),
        producer=producer,
        data=payload.model_dump(mode="json"),
    )


def parse_event(body: str | bytes) -> Event:
    """Read an envelope from the wire, validating the envelope and its data."""
    try:
        event = Event.model_validate_json(body)
    except ValidationError as error:
        raise InvalidEvent(f"not an event envelope: {error}") from error
    event.payload()
    return event
