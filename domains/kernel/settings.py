"""Settings from the environment. A bad value stops start-up with one line naming it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domains.kernel.clock import RunningClock, utcnow

# Used when no Slack app is configured, so the app can be tried against a local fake Slack.
LOCAL_BOT_TOKEN = "xoxb-ates-local"
LOCAL_SIGNING_SECRET = "ates-local-signing-secret"


class SettingsError(Exception):
    """A setting has a value aTES cannot use; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str | None = None
    redis_url: str | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    ates_timezone: str = "UTC"
    ates_analytics_channel: str | None = None
    ates_admin_ids: str = ""
    ates_data_dir: Path = Path("var")
    ates_stream_prefix: str = "ates:"
    ates_max_attempts: int = Field(default=5, ge=1)
    ates_retry_backoff_ms: int = Field(default=200, ge=1)
    ates_reclaim_idle_ms: int = Field(default=30_000, ge=100)
    ates_consumer_batch: int = Field(default=500, ge=1)  # messages a consumer reads per stream and applies at once
    ates_trim_interval_s: float = Field(default=0.0, ge=0)  # 0: never (`ates replay` reads the streams)
    ates_log_format: Literal["text", "json"] = "text"  # json: one JSON object per line, for a log collector
    ates_background_nice: int = Field(default=10, ge=0, le=19)  # CPU niceness of consumers, relay and Celery worker
    # Slack's published Web API limits (calls a minute), which every process sharing the token keeps together
    ates_slack_tier2_per_min: float = Field(default=20, gt=0)
    ates_slack_tier3_per_min: float = Field(default=50, gt=0)  # conversations.open, chat.update
    ates_slack_tier4_per_min: float = Field(default=100, gt=0)  # views.publish and the other views.*
    ates_slack_post_per_min: float = Field(default=600, gt=0)  # chat.postMessage, workspace-wide ("several hundred")
    ates_slack_post_per_channel_per_min: float = Field(default=60, gt=0)  # chat.postMessage, one a second per channel
    ates_slack_burst: int = Field(default=1, ge=1)  # calls of one method (or channel) that may go back to back
    ates_home_publish_interval_s: float = Field(default=5.0, ge=0)  # at most one views.publish per user this often
    ates_metrics_port: int | None = Field(default=None, ge=1, le=65535)  # /metrics of a process other than the gateway
    ates_clock_start: AwareDatetime | None = None  # demos and tests: the process's clock starts here (default: now)

    @field_validator("slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql", "sqlite")):
            raise ValueError("must be a postgresql:// (or sqlite://) URL")
        if value and value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// URL")
        return value or None

    @field_validator("ates_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.ates_timezone)

    def start_clock(self) -> Callable[[], datetime]:
        """The time as this process will see it: the real time, or a clock running from ATES_CLOCK_START."""
        return utcnow if self.ates_clock_start is None else RunningClock.starting_at(self.ates_clock_start)

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.ates_admin_ids.split(",") if part.strip())

    @property
    def embedded(self) -> bool:
        """True when aTES runs in one process on SQLite with the in-process bus."""
        return self.redis_url is None

    @property
    def bot_token(self) -> str:
        return self.slack_bot_token or LOCAL_BOT_TOKEN

    @property
    def signing_secret(self) -> str:
        return self.slack_signing_secret or LOCAL_SIGNING_SECRET

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.ates_data_dir / 'ates.sqlite3'}"


def load_settings() -> Settings:
    """Read the settings, turning pydantic's report into one line that names the variable."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"bad setting {name}: {first['msg']}") from None
    if (settings.database_url is None) != (settings.redis_url is None):
        missing = "REDIS_URL" if settings.redis_url is None else "DATABASE_URL"
        raise SettingsError(
            f"bad setting {missing}: set both DATABASE_URL and REDIS_URL, or neither for the embedded runtime"
        )
    return settings
