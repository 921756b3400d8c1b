"""`/ates role`, Slack's user events, and Slack's repeated deliveries."""

from __future__ import annotations

import json
import random

from bot.users_sync import profile_from_slack
from domains.identity import handlers as identity
from domains.identity.commands import SyncProfiles
from domains.identity.handlers import sync_profiles
from domains.identity.queries import get_user
from domains.tasks import handlers as tasks
from domains.tasks.commands import CreateTask
from tests.e2e.harness import eventually
from tests.fakes.slack_api import Call, member
from tests.integration.slack_app import MEMBERS, SlackApp, blocks_of, buttons
from tests.integration.test_home_and_shortcuts import home_of


def member_role(app: SlackApp, user_id: str) -> str | None:
    return app.scalar("SELECT role FROM tasks_members WHERE user_id = :u", u=user_id)  # type: ignore[no-any-return]


def test_an_admin_gives_a_role_and_it_counts_at_once_everywhere(app: SlackApp) -> None:
    reply = app.sender.command("UADMIN", "/ates", "role <@U2|bob> manager", app.slack.response_url("role"))
    assert reply.status == 200
    said = eventually(lambda: app.replies("role"), bool)[0].args["text"]
    assert said == "<@U2> is now a manager (was a worker); they have been told by DM."
    told = app.slack.wait_for("chat.postMessage", where=lambda c: c.args["channel"] == "U2")[0].args["text"]
    assert told.startswith("<@UADMIN> made you a manager in aTES") and "/task board" in told
    assert buttons(blocks_of(home_of(app, "U2", "Board")), "home_shuffle")  # their Home is a manager's now
    changed = app.events("identity", "UserRoleChanged")
    assert changed == [{"user_id": "U2", "old_role": "worker", "new_role": "manager", "changed_by": "UADMIN"}]
    eventually(lambda: member_role(app, "U2"), lambda role: role == "manager")  # tasks' own copy

    shuffled = app.sender.command("U2", "/shuffle", "", app.slack.response_url("shuffle"))
    assert "Shuffling" in shuffled.json()["text"]  # the actor is read per request: no restart needed
    for n in range(5):
        tasks.create_task(
            tasks.unit_of_work(app.sessions),
            CreateTask(author_id="UADMIN", title=f"Task {n}", jira_id=None),
            random.Random(n),
        )
    assert app.scalar("SELECT count(DISTINCT assignee_id) FROM tasks_tasks") == 1  # only U1 is a worker now


def test_a_role_change_counts_at_once_for_someone_who_just_asked(app: SlackApp) -> None:
    refused = app.sender.command("U2", "/shuffle", "", app.slack.response_url("before"))
    assert "Only managers and admins" in refused.json()["text"]  # U2 is now in the gateway's actor cache
    app.sender.command("UADMIN", "/ates", "role <@U2|bob> manager", app.slack.response_url("role"))
    eventually(lambda: app.replies("role"), bool)
    shuffled = app.sender.command("U2", "/shuffle", "", app.slack.response_url("after"))
    assert "Shuffling" in shuffled.json()["text"]


def test_bad_input_gets_the_usage_and_non_admins_and_unknown_users_a_clear_answer(app: SlackApp) -> None:
    for text in ("", "role", "role <@U2>", "promote <@U2> admin"):
        body = app.sender.command("UADMIN", "/ates", text, app.slack.response_url("usage")).json()
        assert "/ates role @someone worker|manager|accountant|admin" in body["text"]
    boss = app.sender.command("UADMIN", "/ates", "role @bob boss", app.slack.response_url("boss")).json()
    assert boss["text"] == '"boss" is not a role: worker, manager, accountant, admin. Nothing was changed.'
    app.sender.command("UADMIN", "/ates", "role @nobody manager", app.slack.response_url("nobody"))
    assert (
        "Nobody in this workspace is called @nobody" in eventually(lambda: app.replies("nobody"), bool)[0].args["text"]
    )
    refused = app.sender.command("U1", "/ates", "role <@U1> admin", app.slack.response_url("self")).json()
    assert "Only admins" in refused["text"]
    app.sender.command("UADMIN", "/ates", "role UNOBODY manager", app.slack.response_url("ghost"))
    assert "no user <@UNOBODY>" in eventually(lambda: app.replies("ghost"), bool)[0].args["text"]
    assert app.events("identity", "UserRoleChanged") == []
    assert get_user(app.sessions, "U1").role == "worker"  # type: ignore[union-attr]


def test_team_join_and_user_change_keep_users_current(app: SlackApp) -> None:
    newcomer = member("U3", "Carol")
    assert app.sender.event({"type": "team_join", "user": newcomer}, "Ev-join").status == 200
    created = eventually(lambda: app.events("identity", "UserCreated"), lambda e: any(u["user_id"] == "U3" for u in e))
    assert next(u for u in created if u["user_id"] == "U3")["email"] == "carol@example.com"

    renamed = member("U3", "Caroline")
    app.sender.event({"type": "user_change", "user": renamed}, "Ev-rename")
    updated = eventually(lambda: app.events("identity", "UserUpdated"), bool)
    assert updated[-1]["name"] == "Caroline" and updated[-1]["avatar_url"] == "https://avatars.example/U3.png"


def test_a_deactivated_users_open_tasks_go_to_other_workers(app: SlackApp) -> None:
    for n in range(6):
        tasks.create_task(
            tasks.unit_of_work(app.sessions),
            CreateTask(author_id="UADMIN", title=f"Task {n}", jira_id=None),
            random.Random(n),
        )
    leaver = str(app.scalar("SELECT assignee_id FROM tasks_tasks LIMIT 1"))
    app.sender.event({"type": "user_change", "user": member(leaver, "Leaver", deleted=True)}, "Ev-gone")
    assert eventually(lambda: app.events("identity", "UserDeleted"), bool) == [{"user_id": leaver}]
    eventually(
        lambda: app.scalar("SELECT count(*) FROM tasks_tasks WHERE assignee_id = :u", u=leaver), lambda n: n == 0
    )
    moved = [e for e in app.events("tasks", "TaskAssigned") if e["previous_assignee_id"] == leaver]
    assert moved and all(e["assignee_id"] != leaver for e in moved)
    stayer = ({"U1", "U2"} - {leaver}).pop()

    def told(call: Call) -> bool:  # one message per task the stayer now holds: the leaver's too
        return app.slack.store.channel_of(call.args) == f"D{stayer}" and "assigned:" in json.dumps(
            call.args["metadata"]
        )

    dms = app.slack.wait_for("chat.postMessage", count=6, where=told)
    held = {button["value"] for dm in dms for button in buttons(blocks_of(dm), "task_done")}
    assert held == {e["task_id"] for e in app.events("tasks", "TaskCreated")}


def test_a_retried_or_repeated_event_acts_once(app: SlackApp) -> None:
    def names() -> list[str]:
        return [u["name"] for u in app.events("identity", "UserUpdated")]

    app.sender.event({"type": "user_change", "user": member("U1", "Alicia")}, "Ev-1")
    eventually(names, lambda n: n == ["Alicia"])
    app.sender.event({"type": "user_change", "user": member("U1", "Ally")}, "Ev-2")
    eventually(names, lambda n: n == ["Alicia", "Ally"])
    # Had either of these acted, U1 would be renamed back to Alicia before the later U2 change lands.
    again = app.sender.event({"type": "user_change", "user": member("U1", "Alicia")}, "Ev-1", retry_num=1)
    assert again.status == 200
    app.sender.event({"type": "user_change", "user": member("U1", "Alicia")}, "Ev-1")
    app.sender.event({"type": "user_change", "user": member("U2", "Bobby")}, "Ev-3")
    eventually(names, lambda n: n[-1:] == ["Bobby"])
    assert names() == ["Alicia", "Ally", "Bobby"]
    assert get_user(app.sessions, "U1").name == "Ally"  # type: ignore[union-attr]


def ates_role(app: SlackApp, admin: str, text: str, name: str) -> str:
    """Send `/ates <text>` as `admin`; returns what the app answered once the change was made or refused."""
    ack = app.sender.command(admin, "/ates", text, app.slack.response_url(name)).json()
    if ack and ack.get("text"):
        return str(ack["text"])
    return str(eventually(lambda: app.replies(name), bool)[0].args["text"])


def role_of(app: SlackApp, user_id: str) -> str:
    return get_user(app.sessions, user_id).role  # type: ignore[union-attr]


def test_every_mention_form_finds_the_person(app: SlackApp) -> None:
    forms = {"<@U2|bob>": "manager", "U2": "accountant", "@bob": "worker", "Bob": "manager", "@BOB": "admin"}
    for n, (person, role) in enumerate(forms.items()):
        said = ates_role(app, "UADMIN", f"role {person} {role}", f"form{n}")
        assert said.startswith(f"<@U2> is now {'an' if role[0] == 'a' else 'a'} {role}"), said
        assert role_of(app, "U2") == role
    roles = [e["new_role"] for e in app.events("identity", "UserRoleChanged")]
    assert roles == ["manager", "accountant", "worker", "manager", "admin"]


def test_a_name_two_people_share_is_refused_naming_both(app: SlackApp) -> None:
    app.sender.event({"type": "team_join", "user": member("U3", "Bob")}, "Ev-bob2")
    eventually(lambda: get_user(app.sessions, "U3"), bool)
    said = ates_role(app, "UADMIN", "role @bob manager", "twice")
    assert said == "Several people are called @bob: pick the one you mean from Slack's @ menu.\nThey are <@U2>, <@U3>."
    assert app.events("identity", "UserRoleChanged") == []


def test_the_last_active_admin_cannot_be_demoted_and_another_admin_makes_it_possible(app: SlackApp) -> None:
    said = ates_role(app, "UADMIN", "role <@UADMIN|ada> worker", "self")
    assert said == "<@UADMIN> is the last active admin: make someone else an admin first. Nothing was changed."
    assert role_of(app, "UADMIN") == "admin" and app.events("identity", "UserRoleChanged") == []

    ates_role(app, "UADMIN", "role <@U2|bob> admin", "second")
    assert ates_role(app, "U2", "role <@UADMIN|ada> worker", "demote").startswith("<@UADMIN> is now a worker")
    said = ates_role(app, "U2", "role <@U2|bob> manager", "last")
    assert "<@U2> is the last active admin" in said and role_of(app, "U2") == "admin"


def test_a_configured_or_workspace_admin_demoted_stays_demoted_through_user_change_and_restart(app: SlackApp) -> None:
    app.sender.event({"type": "team_join", "user": member("U3", "Carol", is_admin=True)}, "Ev-carol")
    eventually(lambda: get_user(app.sessions, "U3"), bool)
    assert role_of(app, "U3") == "admin"  # met first: Slack's admin
    assert ates_role(app, "U3", "role <@UADMIN|ada> worker", "demote-ada").startswith("<@UADMIN> is now a worker")
    ates_role(app, "U3", "role <@U2|bob> admin", "bob")
    ates_role(app, "U2", "role <@U3|carol> manager", "demote-carol")
    for n, who in enumerate((member("UADMIN", "Ada L", is_owner=True), member("U3", "Carol C", is_admin=True))):
        app.sender.event({"type": "user_change", "user": who}, f"Ev-change{n}")  # renamed: they were heard
    updated = eventually(lambda: app.events("identity", "UserUpdated"), lambda e: len(e) == 2)
    assert sorted((u["name"], u["role"]) for u in updated) == [("Ada L", "worker"), ("Carol C", "manager")]
    sync_profiles(
        identity.unit_of_work(app.sessions),
        SyncProfiles(profiles=tuple([profile_from_slack(m) for m in MEMBERS]), admin_ids=frozenset({"UADMIN"})),
    )
    assert (role_of(app, "UADMIN"), role_of(app, "U3"), role_of(app, "U2")) == ("worker", "manager", "admin")
    shuffled = app.sender.command("UADMIN", "/shuffle", "", app.slack.response_url("shuffle")).json()
    assert "Only managers and admins" in shuffled["text"]  # and a worker again: tasks can be given to them
