"""The Slack Web API client: pointed at SLACK_API_URL, paced within Slack's limits, on kept connections.

`make_client(settings)` is what everyone uses. Callers call it as any WebClient, from as many threads as
they like: each call first waits for its slot in the pace of its method (and channel, for
chat.postMessage), shared through Redis by every process on the services runtime; a 429 holds that pace
for its Retry-After, for every process, and the call is made again. Each thread keeps one HTTP
connection per host (slack_sdk's urllib transport opens a new one, and a TLS handshake, per call).
"""

from __future__ import annotations

import http.client
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import Request

import redis
from prometheus_client import Counter, Histogram
from redis.backoff import NoBackoff
from redis.retry import Retry
from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.slack_pace import Keys, MemoryPace, Pace, RedisPace, SlackLimits
from domains.kernel.settings import Settings

CALLS = Counter("ates_slack_api_calls", "Slack Web API calls made (refused ones included)", ["method"])
RATE_LIMITED = Counter("ates_slack_api_rate_limited", "Slack Web API calls refused with a 429", ["method"])
CALL_SECONDS = Histogram(
    "ates_slack_api_call_seconds",
    "Time a Slack Web API call took, without the wait for its slot",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MAX_REFUSALS = 5  # 429s in a row before the caller gets the SlackApiError
STALE = (http.client.RemoteDisconnected, http.client.CannotSendRequest, ConnectionResetError, BrokenPipeError)


class PacedClient(WebClient):
    """A WebClient that keeps Slack's pace and its connections."""

    def __init__(self, *, pace: Pace, limits: SlackLimits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pace = pace
        self.limits = limits
        self._local = threading.local()
        self._opened: list[tuple[threading.Thread, http.client.HTTPConnection]] = []
        self._opened_lock = threading.Lock()
        weakref.finalize(self, _close_all, self._opened)

    def __deepcopy__(self, _memo: dict[int, Any]) -> PacedClient:
        return self  # one client, its pace and connections shared by every thread (Bolt copies lazy requests)

    def close(self) -> None:
        """Close every kept connection (each thread opens a new one on its next call)."""
        with self._opened_lock:
            _close_all(self._opened)

    def _perform_urllib_http_request(self, *, url: str, args: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Every call (and every page of a paginated one) waits for its slot; a 429 holds the pace and is retried."""
        method = urlsplit(url).path.rsplit("/", 1)[-1]
        keys = self.limits.keys(method, _channel_of(args))
        for refusals in range(MAX_REFUSALS + 1):
            self._wait_for_slot(keys)
            CALLS.labels(method).inc()
            with CALL_SECONDS.labels(method).time():
                response = super()._perform_urllib_http_request(url=url, args=args)
            if int(response["status"]) != 429 or refusals == MAX_REFUSALS:
                return response
            RATE_LIMITED.labels(method).inc()
            self.pace.hold(keys, _retry_after(response["headers"]))
        raise AssertionError("unreachable")

    def _wait_for_slot(self, keys: Keys) -> None:
        """Wait for each key's slot in turn, the narrowest (a channel's) first. Booked together, a call held back by
        its channel would book the workspace's slot as far ahead, holding up every other channel's calls with it."""
        for key in reversed(keys):
            wait = self.pace.reserve([key])
            if wait > 0:
                time.sleep(wait)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        """One request on this thread's kept connection to the host (a fresh one if the server dropped it)."""
        if self.proxy is not None:
            return super()._perform_urllib_http_request_internal(url, req)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            try:
                response, body = _exchange(connection, path, req)
            except STALE:
                connection.close()
                if not self._resends_after_a_drop():
                    raise  # Slack may have acted before the connection dropped: the caller settles it
                response, body = _exchange(connection, path, req)  # most likely an idle connection closed: again
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise URLError(error) from error  # what urllib raises, so the connection retry handler applies
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {"status": response.status, "headers": response.headers, "body": body.decode(charset)}

    def _resends_after_a_drop(self) -> bool:
        """A caller that took the connection retry handler away wants no call sent twice."""
        return any(isinstance(handler, ConnectionErrorRetryHandler) for handler in self.retry_handlers)

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        connections: dict[str, http.client.HTTPConnection] = self._local.__dict__.setdefault("connections", {})
        key = f"{scheme}://{netloc}"
        if key not in connections:
            if scheme == "https":
                connections[key] = http.client.HTTPSConnection(netloc, timeout=self.timeout, context=self.ssl)
            else:
                connections[key] = http.client.HTTPConnection(netloc, timeout=self.timeout)
            self._keep(connections[key])
        return connections[key]

    def _keep(self, connection: http.client.HTTPConnection) -> None:
        """Remember a thread's connection, to close it when the client goes; close those of finished threads."""
        with self._opened_lock:
            alive = [thread.is_alive() for thread, _connection in self._opened]
            _close_all([pair for pair, running in zip(self._opened, alive, strict=True) if not running])
            kept = [pair for pair, running in zip(self._opened, alive, strict=True) if running]
            self._opened[:] = [*kept, (threading.current_thread(), connection)]


Exchange = tuple[http.client.HTTPResponse, bytes]


def _exchange(connection: http.client.HTTPConnection, path: str, req: Request) -> Exchange:
    body = req.data if isinstance(req.data, bytes) else None
    connection.request("POST", path, body=body, headers=dict(req.header_items()))
    response = connection.getresponse()
    return response, response.read()


def _retry_after(headers: Any) -> float:
    """Seconds from a 429's Retry-After (1 if it has none or an odd one)."""
    value = {str(name).lower(): value for name, value in headers.items()}.get("retry-after")
    try:
        return max(float(value[0] if isinstance(value, list) else value or 1), 0.0)
    except ValueError:
        return 1.0


def _close_all(opened: list[tuple[threading.Thread, http.client.HTTPConnection]]) -> None:
    for _thread, connection in opened:
        connection.close()
    opened.clear()


def _channel_of(kwargs: dict[str, Any]) -> str | None:
    for part in ("json", "data", "params"):
        arguments = kwargs.get(part)
        if isinstance(arguments, dict) and arguments.get("channel"):
            return str(arguments["channel"])
    return None


def use_in_every_request(app: App, client: WebClient) -> None:
    """Bolt gives each request a plain WebClient of its own; listeners get this one, with its pace and connections."""

    def shared_client(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["client"] = client
        return next()

    app.middleware(shared_client)


def make_pace(settings: Settings) -> Pace:
    """Shared through Redis on the services runtime; this process's own when embedded."""
    if settings.redis_url:
        # No retries and short timeouts: while Redis is away, the process paces itself rather than wait on it.
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        return RedisPace(client, settings.ates_stream_prefix)
    return MemoryPace()


def make_client(settings: Settings, pace: Pace | None = None) -> PacedClient:
    return PacedClient(
        pace=pace or make_pace(settings),
        limits=SlackLimits.from_settings(settings),
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2)],
    )
