"""The playground in headless Chromium: a worker creates a task, its assignee completes it from the DM; the page
behaves as Slack's client (shortcuts, Esc, unknown commands, a narrow window) and survives a restart of the app."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import FloatRect, Page, ViewportSize, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from bot.playground.workspace import GENERAL
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


def overlap(first: FloatRect | None, second: FloatRect | None) -> bool:
    assert first is not None and second is not None
    apart_x = first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
    apart_y = first["y"] + first["height"] <= second["y"] or second["y"] + second["height"] <= first["y"]
    return not (apart_x or apart_y)


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


def test_a_restart_with_the_tab_open_keeps_the_port_and_the_tab_reconnects(
    playground: tuple[System, sessionmaker[Session]], page: Page
) -> None:
    running, _ = playground
    base = f"http://127.0.0.1:{running.port}/"
    page.goto(f"{base}?user=UKIWI&view=CGENERAL")
    type_line(page, "/balance")
    expect(page.locator(".message.ephemeral .bk-header")).to_have_count(1, timeout=WAIT_MS)

    running.stop()
    expect(page.locator("#offline")).to_be_visible(timeout=WAIT_MS)
    type_line(page, "/balance")  # nothing can take it: the page says so and keeps the line, as Slack does
    expect(page.locator(".toast.bad", has_text="Not sent")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#line")).to_have_value("/balance")
    running.start(distributed=False)  # on the same PORT: the tab's old connections are in TIME_WAIT
    restarted = page.locator(".toast", has_text="The playground restarted")
    expect(restarted).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#offline")).to_be_hidden()
    assert not overlap(restarted.bounding_box(), page.locator("#composer button[type=submit]").bounding_box())
    expect(page.locator(".message")).to_have_count(0)
    type_line(page, "/balance")
    expect(page.locator(".message.ephemeral .bk-header")).to_have_count(1, timeout=WAIT_MS)
    assert running.log("web").count(f"open http://127.0.0.1:{running.port}/") == 2


def test_shortcuts_escape_and_unknown_commands_behave_as_in_slack(page: Page) -> None:
    with serve_small_app() as (playground, heard):
        page.goto(f"{playground.base_url}?user=UKIWI&view=CGENERAL")
        type_line(page, "/foo bar")
        expect(page.locator("#composer-error")).to_contain_text("/foo is not a valid command", timeout=WAIT_MS)
        expect(page.locator("#line")).to_have_value("/foo bar")
        type_line(page, "/echo quiet")
        expect(page.locator(".message")).to_have_text([re.compile("echo quiet")], timeout=WAIT_MS)
        expect(page.locator(".message", has_text="/echo")).to_have_count(0)

        page.focus("#shortcuts")  # by keyboard, as Slack's ⚡ menu allows (the mouse: the test of aTES's shortcuts)
        page.keyboard.press("Enter")
        expect(page.locator('#menu .menu-item[data-callback-id="make_thing"]')).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(".modal")).to_be_visible(timeout=WAIT_MS)
        page.keyboard.press("Escape")
        expect(page.locator(".modal")).to_have_count(0, timeout=WAIT_MS)
        assert [s["type"] for s in heard.shortcuts] == ["shortcut"]

        type_line(page, "/rich")
        rich = page.locator(".message .bk-rich-text")
        verbatim = "Title *x* _y_ get_user_id <!channel> https://example.com/a_b @Sky🎉"
        expect(rich).to_have_text(verbatim, timeout=WAIT_MS)
        expect(rich.locator("b")).to_have_text("Title")
        expect(rich.locator("i, s, a, code")).to_have_count(0)

        type_line(page, "Bin it :wastebasket:")
        said = page.locator(".message", has_text="Bin it")
        expect(said).to_contain_text("Bin it 🗑️", timeout=WAIT_MS)
        said.hover()
        said.locator(".more-actions").click()
        page.click('#menu .menu-item[data-callback-id="quote"]')
        expect(page.locator(".message.ephemeral", has_text="Quoted: Bin it 🗑️")).to_be_visible(timeout=WAIT_MS)
        assert [s["type"] for s in heard.shortcuts] == ["shortcut", "message_action"]


def test_unread_badges_survive_switching_person(page: Page) -> None:
    with serve_small_app() as (playground, _):
        page.goto(f"{playground.base_url}?user=UKIWI&view=CGENERAL")
        expect(page.locator("#title")).to_have_text("# general", timeout=WAIT_MS)
        page.click('.nav-item[data-view="DKIWI"]')
        playground.send("UMANGO", GENERAL, "one")
        playground.send("UMANGO", GENERAL, "two")
        badge = page.locator('.nav-item[data-view="CGENERAL"] .badge')
        expect(badge).to_have_text("2", timeout=WAIT_MS)
        other_tab = page.context.new_page()  # Mango's tab, opened while Kiwi has not read them yet
        other_tab.goto(f"{playground.base_url}?user=UMANGO&view=DMANGO")
        expect(other_tab.locator("#title")).to_contain_text("DM", timeout=WAIT_MS)
        page.click('.person[data-user="UMANGO"]')
        expect(page.locator("#me")).to_contain_text("Mango", timeout=WAIT_MS)
        page.click('.person[data-user="UKIWI"]')
        expect(page.locator("#me")).to_contain_text("Kiwi", timeout=WAIT_MS)
        expect(badge).to_have_text("2", timeout=WAIT_MS)
        page.click('.nav-item[data-view="CGENERAL"]')
        expect(badge).to_have_count(0)
        playground.send("UPEPPER", GENERAL, "three")  # read at once in Kiwi's tab; an unread one in Mango's
        expect(page.locator(".message", has_text="three")).to_be_visible(timeout=WAIT_MS)
        expect(other_tab.locator('.nav-item[data-view="CGENERAL"] .badge')).to_have_text("1", timeout=WAIT_MS)
        other_tab.click('.person[data-user="UKIWI"]')  # what Kiwi read in one tab is read in the other
        expect(other_tab.locator("#me")).to_contain_text("Kiwi", timeout=WAIT_MS)
        expect(other_tab.locator(".nav-item .badge")).to_have_count(0)


def test_the_page_works_in_a_400_pixel_wide_window(page: Page) -> None:
    page.set_viewport_size({"width": 400, "height": 760})
    with serve_small_app() as (playground, _):
        page.goto(f"{playground.base_url}?user=UKIWI&view=CGENERAL")
        expect(page.locator("#title")).to_have_text("# general", timeout=WAIT_MS)
        expect(page.locator("#sidebar")).to_be_hidden()
        type_line(page, "A long word: " + "Supercalifragilistic" * 12 + " :tada:")
        expect(page.locator(".message")).to_contain_text("🎉", timeout=WAIT_MS)
        type_line(page, "/echo loud")
        expect(page.locator(".message", has_text="echo loud")).to_have_count(2, timeout=WAIT_MS)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.querySelector('#pane').scrollWidth]")
        assert max(widths) <= 400, widths
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "playground-400px.png"))
        type_line(page, "/form")
        modal = page.locator(".modal")
        expect(modal).to_be_visible(timeout=WAIT_MS)
        box = modal.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 400, box
        page.screenshot(path=str(ARTIFACTS / "playground-400px-form.png"))
        page.keyboard.press("Escape")
        expect(modal).to_have_count(0, timeout=WAIT_MS)

        page.click("#nav-toggle")
        expect(page.locator("#sidebar")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "playground-400px-sidebar.png"))
        page.click('.person[data-user="USKY"]')
        expect(page.locator("#sidebar")).to_be_hidden()
        expect(page.locator("#me")).to_contain_text("Sky", timeout=WAIT_MS)


def test_the_apps_shortcuts_open_its_task_form_from_the_menu_and_from_a_message(
    playground: tuple[System, sessionmaker[Session]], page: Page
) -> None:
    running, _ = playground
    page.goto(f"http://127.0.0.1:{running.port}/?user=UKIWI&view=CGENERAL")
    expect(page.locator("#me")).to_contain_text("Kiwi", timeout=WAIT_MS)
    type_line(page, "The perch is loose :warning:")
    said = page.locator(".message", has_text="The perch is loose")
    expect(said).to_contain_text("The perch is loose ⚠️", timeout=WAIT_MS)
    said.hover()
    said.locator(".more-actions").click()
    page.click('#menu .menu-item[data-callback-id="create_task_from_message"]')
    description = page.locator(".modal textarea")
    expected = re.compile(r"^The perch is loose :warning:\n\nFrom the message: http://127\.0\.0\.1:\d+/")
    expect(description).to_have_value(expected, timeout=WAIT_MS)
    page.keyboard.press("Escape")
    expect(page.locator(".modal")).to_have_count(0, timeout=WAIT_MS)

    page.click("#shortcuts")
    page.click('#menu .menu-item[data-callback-id="create_task"]')
    expect(page.locator(".modal-title")).to_have_text("New task", timeout=WAIT_MS)
    expect(page.locator(".modal textarea")).to_have_value("")


def test_a_mention_typed_in_ates_role_reaches_the_app_as_slack_escapes_it(
    playground: tuple[System, sessionmaker[Session]], page: Page
) -> None:
    running, _ = playground
    base = f"http://127.0.0.1:{running.port}/"
    eventually(lambda: PlaygroundClient(base).roles().get("UADA"), lambda role: role == "admin")
    page.goto(f"{base}?user=UADA&view=CGENERAL")
    expect(page.locator("#me")).to_contain_text("Ada", timeout=WAIT_MS)
    type_line(page, "/ates role @Sky manager")
    eventually(lambda: PlaygroundClient(base).roles().get("USKY"), lambda role: role == "manager")
    expect(page.locator('.person[data-user="USKY"] .role')).to_have_text("manager", timeout=WAIT_MS)


def test_the_homes_shuffle_asks_first_and_shows_its_result_on_the_home(
    playground: tuple[System, sessionmaker[Session]], page: Page
) -> None:
    running, _ = playground
    base = f"http://127.0.0.1:{running.port}/"
    eventually(lambda: PlaygroundClient(base).roles().get("UMAX"), lambda role: role == "manager")
    page.goto(f"{base}?user=UMAX&view=CGENERAL")
    type_line(page, "/task new Sweep the perch")
    expect(page.locator(".message.ephemeral", has_text="assigned it to")).to_be_visible(timeout=WAIT_MS)

    page.click('.nav-item[data-view="home"]')
    shuffle = page.get_by_role("button", name="Shuffle open tasks")
    shuffle.click()
    dialog = page.locator("dialog.bk-confirm")
    expect(dialog).to_contain_text("1 open task will move among 4 workers", timeout=WAIT_MS)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    page.wait_for_timeout(500)
    expect(page.locator("#home")).not_to_contain_text("Last shuffle")

    shuffle.click()
    page.locator("dialog.bk-confirm").get_by_role("button", name="Shuffle").click()
    expect(page.locator("#home")).to_contain_text("1 task moved among 4 workers", timeout=WAIT_MS)
