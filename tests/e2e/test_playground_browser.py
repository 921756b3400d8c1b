"""The playground in headless Chromium: a worker creates a task, its assignee completes it from the DM."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from domains.accounting.queries import balance_of
from domains.kernel.clock import format_cents
from domains.kernel.db import make_engine, make_session_factory
from tests.e2e.harness import ROOT, System, eventually, playground_env
from tests.fakes.bolt_app import serve_small_app
from tests.fakes.playground import PlaygroundClient

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
WAIT_MS = 15_000
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[tuple[System, sessionmaker[Session]]]:
    running = System(playground_env(tmp_path / "var"), tmp_path)
    running.start(distributed=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'ates.sqlite3'}")
    yield running, make_session_factory(engine)
    running.stop()
    engine.dispose()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, viewport=VIEWPORT
        )
        yield browser.new_page()
        browser.close()


def type_line(page: Page, line: str) -> None:
    page.fill("#line", line)
    page.press("#line", "Enter")


def balance_header(page: Page, expected_cents: int) -> None:
    """Ask /balance in the page and see the given balance in the reply."""
    type_line(page, "/balance")
    header = page.locator(".message.ephemeral .bk-header").last
    expect(header).to_have_text(f"Balance: {format_cents(expected_cents)}", timeout=WAIT_MS)


def home_balance(page: Page, expected_cents: int) -> None:
    """Open the App Home and see the given balance on it."""
    page.click('.nav-item[data-view="home"]')
    header = page.locator("#home .bk-header", has_text="Balance:")
    expect(header).to_have_text(f"Balance: {format_cents(expected_cents)}", timeout=WAIT_MS)


def test_a_task_made_in_the_page_is_completed_from_the_assignees_dm(
    playground: tuple[System, sessionmaker[Session]], page: Page
) -> None:
    running, sessions = playground
    base = f"http://127.0.0.1:{running.port}/"
    eventually(lambda: PlaygroundClient(base).roles().get("UMAX"), lambda role: role == "manager")

    page.goto(f"{base}?user=UKIWI&view=CGENERAL")
    expect(page.locator("#me")).to_contain_text("Kiwi", timeout=WAIT_MS)
    type_line(page, "/task new [UP-42] Fix the beak")
    created = page.locator(".message.ephemeral", has_text="assigned it to")
    expect(created).to_contain_text("Fix the beak (UP-42)", timeout=WAIT_MS)
    assignee = created.locator(".mention").get_attribute("data-user")
    assert assignee in {"UKIWI", "UMANGO", "UPEPPER", "USKY"}

    page.click(f'.person[data-user="{assignee}"]')
    expect(page.locator("#me")).to_contain_text(re.compile(r"worker"), timeout=WAIT_MS)
    page.click(f'.nav-item[data-view="D{assignee[1:]}"]')
    task_dm = page.locator(".message", has_text="You have a new task")
    expect(task_dm).to_contain_text("Fix the beak", timeout=WAIT_MS)
    fee = -eventually(lambda: balance_of(sessions, assignee), lambda cents: cents < 0)
    assert 1000 <= fee <= 2000
    balance_header(page, -fee)
    home_balance(page, -fee)

    page.click(f'.nav-item[data-view="D{assignee[1:]}"]')
    task_dm.get_by_role("button", name="Done").click()
    expect(page.locator(".message", has_text="Done, +$")).to_be_visible(timeout=WAIT_MS)  # the DM itself
    expect(page.get_by_role("button", name="Done")).to_have_count(0)
    balance = eventually(lambda: balance_of(sessions, assignee), lambda cents: cents != -fee)
    assert 2000 <= balance + fee <= 4000
    home_balance(page, balance)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground.png"))


def test_a_modal_in_the_page_shows_the_apps_errors_then_submits(page: Page) -> None:
    with serve_small_app() as (playground, heard):
        page.goto(f"{playground.base_url}?user=UKIWI&view=CGENERAL")
        type_line(page, "/form")
        title = page.locator('.bk-input[data-block-id="title"]')
        title.locator("input").fill("[bad]")
        page.click(".modal .submit")
        expect(title.locator(".bk-error")).to_have_text("No brackets, please.", timeout=WAIT_MS)
        assert heard.submissions == []

        title.locator("input").fill("Nest")
        page.select_option('.bk-input[data-block-id="size"] select', "big")
        page.click(".modal .submit")
        expect(page.locator(".modal")).to_have_count(0, timeout=WAIT_MS)
        assert heard.submissions[0]["size"]["size"]["selected_option"]["value"] == "big"

        page.click('.nav-item[data-view="home"]')
        page.get_by_role("button", name="Red").click()
        eventually(lambda: heard.clicks, lambda clicks: len(clicks) == 1)
