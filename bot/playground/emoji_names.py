"""Emoji shortcodes as Slack's client shows them (`:wastebasket:` is 🗑️), from the `emoji` package's tables."""

from __future__ import annotations

from functools import cache

import emoji


@cache
def shortcodes() -> dict[str, str]:
    """{name: emoji} for every fully qualified emoji, by its aliases (Slack's names) first, then its CLDR name."""
    table: dict[str, str] = {}
    for char, data in emoji.EMOJI_DATA.items():
        if data.get("status") != emoji.STATUS["fully_qualified"]:
            continue
        for name in [*data.get("alias", []), data["en"]]:
            table.setdefault(name.strip(":").lower(), char)
    return table
