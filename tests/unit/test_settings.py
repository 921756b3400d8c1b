"""Settings: defaults, and one clear line naming the variable when a value is bad."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domains.kernel.clock import utcnow
from domains.kernel.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "PORT",
    "ATES_TIMEZONE",
    "ATES_ANALYTICS_CHANNEL",
    "ATES_ADMIN_IDS",
    "ATES_CLOCK_START",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_with_nothing_set_aTES_runs_embedded_on_its_defaults() -> None:  # noqa: N802
    settings = load_settings()
    assert settings.embedded
    assert settings.port == 3000
    assert settings.ates_timezone == "UTC"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.sqlalchemy_url == "sqlite:///var/ates.sqlite3"


def test_values_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/ates")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("ATES_ADMIN_IDS", " U1, U2 ,,")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    settings = load_settings()
    assert not settings.embedded
    assert settings.sqlalchemy_url == "postgresql+psycopg://postgres@127.0.0.1/ates"
    assert settings.admin_ids == {"U1", "U2"}
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("ATES_TIMEZONE", "Mars/Olympus"),
        ("SLACK_API_URL", "slack.com/api"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "localhost:6379"),
        ("ATES_CLOCK_START", "2026-11-20T12:00"),  # a moment with no time zone is ambiguous
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"^bad setting {name}: "):
        load_settings()


def test_the_clock_is_the_real_time_or_runs_on_from_ates_clock_start(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().start_clock() is utcnow
    monkeypatch.setenv("ATES_CLOCK_START", "2026-11-20T12:00:00+01:00")
    clock = load_settings().start_clock()
    first = clock()
    assert timedelta(0) <= first - datetime(2026, 11, 20, 11, 0, tzinfo=UTC) < timedelta(seconds=5)
    assert clock() >= first


def test_a_database_without_a_bus_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/ates")
    with pytest.raises(SettingsError, match=r"^bad setting REDIS_URL: set both"):
        load_settings()


def test_the_gateway_stops_with_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PORT": "abc"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("aTES: bad setting PORT: ")
    assert not (tmp_path / "var").exists()
