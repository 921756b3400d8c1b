"""The messages a fake Slack holds: what chat.postMessage posted and chat.update changed, with their metadata,
read back through conversations.history (metadata only with include_all_metadata), as Slack keeps them."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


def decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


@dataclass
class MessageStore:
    """channel -> ts -> message; a DM posted to a user id lands in the channel "D" + that id."""

    channels: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def channel_of(args: dict[str, Any]) -> str:
        channel = str(args.get("channel"))
        return "D" + channel if channel.startswith("U") else channel

    def post(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        channel = self.channel_of(args)
        message = {"ts": ts, "text": args.get("text"), "blocks": decoded(args.get("blocks")) or []}
        if args.get("metadata"):
            message["metadata"] = decoded(args["metadata"])
        with self._lock:
            self.channels.setdefault(channel, {})[ts] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def update(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        channel, ts = str(args.get("channel")), str(args.get("ts"))
        with self._lock:
            message = self.channels.setdefault(channel, {}).setdefault(ts, {"ts": ts})
            message.update(text=args.get("text"), blocks=decoded(args.get("blocks")) or [])
            if args.get("metadata"):
                message["metadata"] = decoded(args["metadata"])
        return {"ok": True, "channel": channel, "ts": ts}

    def history(self, args: dict[str, Any], _ts: str) -> dict[str, Any]:
        """Newest first, between `oldest` and `latest` (exclusive unless `inclusive`), paged by `cursor`."""
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        inclusive = str(args.get("inclusive")).lower() in ("1", "true")
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        with self._lock:
            held = list(self.channels.get(str(args.get("channel")), {}).values())
        within = [
            m for m in held if (oldest <= float(m["ts"]) <= latest if inclusive else oldest < float(m["ts"]) < latest)
        ]
        within.sort(key=lambda m: float(m["ts"]), reverse=True)
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in within]
        following = start + limit
        cursor = str(following) if following < len(page) else ""
        return {
            "ok": True,
            "messages": page[start:following],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages, oldest first."""
        with self._lock:
            return sorted(self.channels.get(channel, {}).values(), key=lambda m: float(m["ts"]))
