"""`/ates role` and `/task board` read what Slack sends: escaped mentions, ids, names, roles and projects."""

from __future__ import annotations

from bot.listeners.role_command import USAGE, RoleRequest, parse_role_change


def test_role_changes_parse_every_way_of_naming_someone() -> None:
    assert parse_role_change("role <@U123|alice> Manager") == RoleRequest("<@U123|alice>", "manager")
    assert parse_role_change("role <@W9AB> admin") == RoleRequest("<@W9AB>", "admin")
    assert parse_role_change("role U123 worker") == RoleRequest("U123", "worker")
    assert parse_role_change("role @alice accountant") == RoleRequest("@alice", "accountant")
    assert parse_role_change("role Ada Lovelace admin") == RoleRequest("Ada Lovelace", "admin")


def test_anything_else_gets_the_usage_and_an_unknown_role_is_named() -> None:
    for bad in ("", "role", "role <@U123>", "grant <@U1> admin"):
        assert parse_role_change(bad) == USAGE
    assert (
        parse_role_change("role @sky boss")
        == '"boss" is not a role: worker, manager, accountant, admin. Nothing was changed.'
    )
    assert parse_role_change("role <@U1> admin extra").startswith('"extra" is not a role')  # type: ignore[union-attr]
