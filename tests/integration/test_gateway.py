"""The gateway on PostgreSQL, in-process: signatures, first contact, the workspace sync."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Services
from bot.slack_client import make_client
from bot.users_sync import sync_workspace
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.model import PriceDraw
from domains.identity.queries import get_user, list_users
from domains.identity.tables import outbox as identity_outbox
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.settings import Settings
from jobs.runtime import domain_commands
from tests.fakes.gateway import serve_gateway
from tests.fakes.slack_api import FakeSlack, member
from tests.fakes.slack_requests import SlackSender

SECRET = "integration-secret"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(
        members=[
            member("UOWNER", "Olga", is_owner=True),
            member("UADMIN", "Ada"),
            member("U1", "Alice"),
            member("UB", "Robot", is_bot=True),
            member("USLACKBOT", "Slackbot"),
            member("UGONE", "Gone", deleted=True),
            member("U2", "Bob"),
        ]
    )
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def services(pg_url: str, slack: FakeSlack) -> Iterator[Services]:
    engine = make_engine(pg_url)
    settings = Settings(
        database_url=pg_url,
        redis_url="redis://127.0.0.1:6379/9",
        slack_signing_secret=SECRET,
        slack_bot_token="xoxb-test",
        slack_api_url=slack.api_url,
        ates_admin_ids="UADMIN",
    )
    sessions = make_session_factory(engine)
    accounting = lambda: AccountingUnitOfWork(sessions, PriceDraw(), settings.timezone)  # noqa: E731
    yield Services(settings, sessions, MemoryBus(), domain_commands(sessions, accounting))
    engine.dispose()


def count(sessions: sessionmaker[Session], table: str) -> int:
    with sessions() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_workspace_sync_reads_every_page_and_skips_bots_slackbot_and_the_deleted(
    services: Services, slack: FakeSlack
) -> None:
    synced = sync_workspace(make_client(services.settings), services.commands, services.settings.admin_ids)

    users = {u.slack_id: u.role for u in list_users(services.sessions)}
    assert synced == 4
    assert users == {"UOWNER": "admin", "UADMIN": "admin", "U1": "worker", "U2": "worker"}
    assert len(slack.calls_to("users.list")) == 4
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(identity_outbox)) == 4


def test_a_bad_or_stale_signature_gets_401_and_changes_nothing(services: Services, slack: FakeSlack) -> None:
    with serve_gateway(services) as url:
        forged = SlackSender(url, "not-the-secret")
        stale = SlackSender(url, SECRET)
        replies = [
            forged.command("U1", "/task", "new Fix the beak", slack.response_url()),
            stale.command("U1", "/task", "new Fix the beak", slack.response_url(), timestamp=int(time.time()) - 600),
        ]
    assert [r.status for r in replies] == [401, 401]
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []
    assert count(services.sessions, "tasks_tasks") == 0
    assert count(services.sessions, "identity_users") == 0


def test_a_user_unknown_until_first_contact_is_fetched_with_users_info(services: Services, slack: FakeSlack) -> None:
    with serve_gateway(services) as url:
        reply = SlackSender(url, SECRET).command("U2", "/task", "help", slack.response_url())

    assert reply.status == 200
    assert "/task new" in reply.json()["text"]
    assert [c.args["user"] for c in slack.calls_to("users.info")] == ["U2"]
    user = get_user(services.sessions, "U2")
    assert user is not None
    assert (user.name, user.email, user.role) == ("Bob", "bob@example.com", "worker")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("new [UP-42] Fix [the] beak", "cannot contain `[` or `]`"),
        ("new [not a key] Fix the beak", "A Jira id looks like `UP-42`"),
        ("new [UP-42]", "needs a title"),
        ("new " + "x" * 201, "at most 200 characters"),
    ],
)
def test_a_bad_task_gets_a_clear_answer_and_changes_nothing(
    services: Services, slack: FakeSlack, text: str, reason: str
) -> None:
    with serve_gateway(services) as url:
        reply = SlackSender(url, SECRET).command("U1", "/task", text, slack.response_url())

    assert reply.status == 200
    assert reason in reply.json()["text"]
    assert count(services.sessions, "tasks_tasks") == 0
    assert count(services.sessions, "tasks_outbox") == 0
