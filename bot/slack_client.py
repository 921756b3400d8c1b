"""The Slack Web API client: pointed at SLACK_API_URL, waiting out rate limits."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from domains.kernel.settings import Settings


def make_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=5)],
    )
