"""Accounting's rules, no I/O. Money is integer cents."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal
from uuid import UUID

FEE_CENTS = (1_000, 2_000)  # an assignment fee is $10–$20
REWARD_CENTS = (2_000, 4_000)  # a completion reward is $20–$40

Kind = Literal["withdraw", "deposit", "payment"]


class CycleError(Exception):
    """A billing cycle that cannot be closed now; the message says why, for the operator."""


class InvalidDay(ValueError):
    """A day asked for by a user that is not a date aTES understands, or lies in the future."""


@dataclass(frozen=True)
class Prices:
    fee_cents: int
    reward_cents: int


class PriceDraw:
    """The one place task prices are drawn; tests seed it."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.SystemRandom()

    def draw(self) -> Prices:
        return Prices(self.rng.randint(*FEE_CENTS), self.rng.randint(*REWARD_CENTS))


@dataclass(frozen=True)
class Payout:
    """One worker paid at a close: the payout's id (its UserPaid's, and the correlation of what it causes) and the
    correlations of the money it counts, every move since the worker's previous payout, in the order they moved."""

    user_id: str
    amount_cents: int
    payout_id: UUID
    counted: tuple[str, ...]


@dataclass(frozen=True)
class DayClosed:
    """What the close of one billing cycle did: who was paid how much, whose negative balance carried over."""

    cycle: date
    paid: Mapping[str, int] = field(default_factory=dict)
    carried: Mapping[str, int] = field(default_factory=dict)
    already_closed: bool = False
    payouts: tuple[Payout, ...] = ()

    @property
    def paid_cents(self) -> int:
        return sum(self.paid.values())


def management_earnings(fees_cents: int, rewards_cents: int) -> int:
    """What the company kept: fees charged minus rewards paid (negative when workers earned more)."""
    return fees_cents - rewards_cents


def landing_cycle(day: date, last_closed: date | None) -> date:
    """The cycle a money move of `day` is recorded in: its own, or the first open one when its day is closed."""
    if last_closed is not None and day <= last_closed:
        return last_closed + timedelta(days=1)
    return day


def first_open_cycle(last_closed: date | None, earliest_record: date | None) -> date | None:
    """The oldest cycle not yet closed that can hold money (None: nothing was ever recorded or closed)."""
    if last_closed is not None:
        return last_closed + timedelta(days=1)
    return earliest_record


def check_closable(cycle: date, today: date, first_open: date | None) -> None:
    """A cycle is closed once it is over, and only after every earlier cycle is."""
    if cycle >= today:
        raise CycleError(f"{cycle.isoformat()} is not over yet (today is {today.isoformat()}); nothing was changed")
    if first_open is not None and cycle > first_open:
        raise CycleError(f"{first_open.isoformat()} must be closed before {cycle.isoformat()}; nothing was changed")


def cycles_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def parse_day(text: str, today: date) -> date:
    """A day a user asks about: empty or `today`, `yesterday`, or YYYY-MM-DD, not in the future."""
    word = text.strip().lower()
    if word in ("", "today"):
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        day = date.fromisoformat(word) if len(word) == len("YYYY-MM-DD") else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidDay(f"'{text.strip()}' is not a day (use YYYY-MM-DD, today or yesterday)")
    if day > today:
        raise InvalidDay(f"{day.isoformat()} has not happened yet")
    return day
