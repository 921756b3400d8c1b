"""Accounting's rules, no I/O. Money is integer cents."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

FEE_CENTS = (1_000, 2_000)  # an assignment fee is $10–$20
REWARD_CENTS = (2_000, 4_000)  # a completion reward is $20–$40

Kind = Literal["withdraw", "deposit", "payment"]


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


def management_earnings(fees_cents: int, rewards_cents: int) -> int:
    """What the company kept: fees charged minus rewards paid (negative when workers earned more)."""
    return fees_cents - rewards_cents
