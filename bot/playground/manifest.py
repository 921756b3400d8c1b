"""What the app declares in manifest.yml that Slack's client acts on: its slash commands and shortcuts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.playground.workspace import CHANNEL_NAMES, PEOPLE, handle

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
# What Slack's composer turns into a mention when typed: @handle, #channel, and @here / @channel / @everyone.
MENTION = re.compile(r"(?<![\w<])([@#])([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)", re.IGNORECASE)
BROADCASTS = ("here", "channel", "everyone")


@dataclass(frozen=True)
class Command:
    name: str
    description: str = ""
    usage_hint: str = ""
    should_escape: bool = False

    def text_for_app(self, typed: str) -> str:
        """The command's text as Slack sends it: with `should_escape`, typed mentions become Slack's own."""
        return MENTION.sub(_escaped, typed) if self.should_escape else typed


def message_text(typed: str) -> str:
    """A typed message as Slack stores it: `&`, `<`, `>` escaped, and what the composer made mentions encoded."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MENTION.sub(_escaped, escaped)


@dataclass(frozen=True)
class Shortcut:
    name: str
    kind: str  # "global" (the ⚡ menu) or "message" (a message's "More actions")
    callback_id: str
    description: str = ""


@dataclass(frozen=True)
class AppManifest:
    commands: tuple[Command, ...] = ()
    shortcuts: tuple[Shortcut, ...] = ()

    def command(self, name: str) -> Command | None:
        return next((command for command in self.commands if command.name == name), None)

    def shortcut(self, callback_id: str) -> Shortcut | None:
        return next((shortcut for shortcut in self.shortcuts if shortcut.callback_id == callback_id), None)

    def for_page(self) -> dict[str, Any]:
        return {
            "commands": [{"name": c.name, "description": c.description, "usage": c.usage_hint} for c in self.commands],
            "shortcuts": [{"name": s.name, "kind": s.kind, "callback_id": s.callback_id} for s in self.shortcuts],
        }


def load_manifest(path: Path = MANIFEST) -> AppManifest:
    features = (yaml.safe_load(path.read_text()) or {}).get("features") or {}
    commands = tuple(
        Command(
            name=str(entry["command"]),
            description=str(entry.get("description") or ""),
            usage_hint=str(entry.get("usage_hint") or ""),
            should_escape=bool(entry.get("should_escape")),
        )
        for entry in features.get("slash_commands") or []
    )
    shortcuts = tuple(
        Shortcut(str(entry["name"]), str(entry["type"]), str(entry["callback_id"]), str(entry.get("description") or ""))
        for entry in features.get("shortcuts") or []
    )
    return AppManifest(commands, shortcuts)


def _escaped(typed: re.Match[str]) -> str:
    sigil, name = typed.group(1), typed.group(2)
    lowered = name.lower()
    if sigil == "#":
        channel = next((cid for cid, cname in CHANNEL_NAMES.items() if cname == lowered), None)
        return f"<#{channel}|{lowered}>" if channel else typed.group(0)
    if lowered in BROADCASTS:
        return f"<!{lowered}>"
    person = next((p for p in PEOPLE if handle(p) == lowered), None)
    return f"<@{person.slack_id}|{handle(person)}>" if person else typed.group(0)
