"""Commands: what a person or a scheduler orders a domain to do, each carried to its one handler by class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    """An order, named in the imperative (`CreateTask`); it lives in its domain's `commands.py`."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Requested(Command):
    """An order a person gave through a durable request, which may be delivered more than once.

    `request_id` names the request: its domain carries it out once (its inbox records the id). The events it causes
    carry `correlation_id` on, as every log line about the request does. Both are absent when given directly.
    """

    request_id: UUID | None = None
    correlation_id: UUID | None = None


class CarriedOutBefore(Exception):
    """This request was carried out already (delivered again): nothing was done this time."""


C = TypeVar("C", bound=Command)


class UnknownCommand(LookupError):
    """No handler was registered for a command's class: a wiring mistake, found on the first use."""


class CommandBus:
    """Each command class has exactly one handler; registering a second one is refused at start-up."""

    def __init__(self) -> None:
        self._handlers: dict[type[Command], Callable[[Any], Any]] = {}

    def register(self, kind: type[C], handler: Callable[[C], Any]) -> None:
        if kind in self._handlers:
            raise ValueError(f"{kind.__name__} already has a handler")
        self._handlers[kind] = handler

    def handles(self, kind: type[Command]) -> bool:
        return kind in self._handlers

    def handle(self, command: Command) -> Any:
        """Carry out a command with its handler, returning what the handler returns."""
        try:
            handler = self._handlers[type(command)]
        except KeyError:
            raise UnknownCommand(f"no handler for {type(command).__name__}") from None
        return handler(command)
