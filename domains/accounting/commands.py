"""Accounting's orders: what a scheduler or an operator tells accounting to do."""

from __future__ import annotations

from datetime import date

from domains.kernel.commands import Command


class CloseDay(Command):
    """Pay out every billing cycle that is over and still open, oldest first, through `through` (default:
    yesterday in the company's time zone). Safe to give any number of times: no day is paid twice."""

    through: date | None = None
