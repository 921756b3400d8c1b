"""manifest.yml is a manifest Slack accepts, and it declares exactly what the code listens to."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from sqlalchemy.orm import sessionmaker

from bot.listeners import register_listeners
from bot.services import Services
from domains.kernel.commands import CommandBus
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "slack-manifest.schema.json"
# The bot scopes each Web API method the code calls needs (views.* and chat.getPermalink need none).
SCOPES_OF_METHOD: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_open": {"im:write"},
    # A DM's history, and the analytics channel's (public or private), to settle a post whose answer was lost.
    "conversations_history": {"im:history", "channels:history", "groups:history"},
    "users_list": {"users:read"},
    "users_info": {"users:read"},
    "views_open": set(),
    "views_publish": set(),
    "views_update": set(),
    "files_upload_v2": {"files:write"},
    "files_info": {"files:read"},  # whether Slack has processed the chart before a message shows it
}
# `commands` for slash commands and shortcuts; `users:read.email` for the e-mail in profiles (users_sync.py).
SCOPES_BEYOND_METHODS = {"commands", "users:read.email"}
_CALL = re.compile(r"\.((?:chat|conversations|users|views|files|reactions|team)_\w+)\(")


def _listener(*function: Callable[..., Any], **_ack_and_lazy: Any) -> Callable[..., Any] | None:
    """Registers a listener as a decorator (`@app.command(…)`) or with `ack=` and `lazy=` (Bolt's lazy listeners)."""
    return function[0] if function else None


class RecordingApp:
    """Stands in for the Bolt app and records what each register() listens to."""

    def __init__(self) -> None:
        self.heard: dict[str, set[str]] = {"command": set(), "shortcut": set(), "event": set(), "view": set()}

    def _record(self, kind: str, name: Any) -> Callable[..., Any]:
        if isinstance(name, str):
            self.heard.setdefault(kind, set()).add(name)
        return _listener

    def command(self, name: str, **_options: Any) -> Any:
        return self._record("command", name)

    def shortcut(self, name: str, **_options: Any) -> Any:
        return self._record("shortcut", name)

    def event(self, name: str, **_options: Any) -> Any:
        return self._record("event", name)

    def view(self, name: str) -> Any:
        return self._record("view", name)

    def action(self, name: str | re.Pattern[str], **_options: Any) -> Any:
        return self._record("action", name)

    def middleware(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return function

    def error(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return function


def load_manifest() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "manifest.yml").read_text()))


def heard() -> dict[str, set[str]]:
    app = RecordingApp()
    register_listeners(app, Services(Settings(), sessionmaker(), MemoryBus(), CommandBus()))  # type: ignore[arg-type]
    return app.heard


def test_the_manifest_is_valid_for_slack() -> None:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(load_manifest()), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_an_invalid_manifest_is_caught() -> None:
    manifest = load_manifest()
    manifest["features"]["slash_commands"][0]["command"] = "task"  # no leading slash
    assert list(Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest))


def test_every_command_the_code_handles_is_declared_and_no_other() -> None:
    declared = {c["command"] for c in load_manifest()["features"]["slash_commands"]}
    assert heard()["command"] == declared


def test_every_shortcut_and_event_the_code_handles_is_declared_and_no_other() -> None:
    manifest = load_manifest()
    assert heard()["shortcut"] == {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert heard()["event"] == set(manifest["settings"]["event_subscriptions"]["bot_events"])


def methods_called() -> set[str]:
    sources = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("jobs").rglob("*.py"), ROOT / "app.py"]
    return {match for path in sources for match in _CALL.findall(path.read_text())}


def test_the_manifest_asks_for_the_scopes_the_code_uses_and_no_more() -> None:
    called = methods_called()
    assert {"chat_postMessage", "conversations_open", "users_info", "views_publish"} <= called
    assert called <= set(SCOPES_OF_METHOD), "map each new Web API method to its scopes"
    needed = set().union(*(SCOPES_OF_METHOD[m] for m in called)) | SCOPES_BEYOND_METHODS
    assert set(load_manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_every_command_has_a_description_and_the_ones_with_arguments_a_usage_hint() -> None:
    commands = {c["command"]: c for c in load_manifest()["features"]["slash_commands"]}
    assert all(c["description"] for c in commands.values())
    taking_arguments = {"/task", "/ates", "/balance", "/accounting", "/analytics"}
    assert {name for name, c in commands.items() if "usage_hint" in c} == taking_arguments
    assert commands["/ates"]["should_escape"] is True  # so a mention arrives as <@U123|name>
    for spans in ("/accounting", "/analytics"):  # both take a day, a week, a month or any span
        assert "YYYY-MM-DD..YYYY-MM-DD" in commands[spans]["usage_hint"]
