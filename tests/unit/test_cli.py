"""The operator's `ates` command: every subcommand explains itself."""

from __future__ import annotations

import argparse

import pytest

from jobs import cli


def subcommands() -> list[str]:
    groups = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for group in groups for name in group.choices)


def test_there_are_subcommands() -> None:
    expected = {"migrate", "audit-check", "close-day", "status", "dlq", "replay", "events", "trim", "analytics-post"}
    assert expected <= set(subcommands())


@pytest.mark.parametrize("command", subcommands())
def test_each_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        cli.main([command, "--help"])
    assert leaving.value.code == 0
    assert f"usage: ates {command}" in capsys.readouterr().out
