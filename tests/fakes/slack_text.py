"""What a person reads in blocks a Slack app sent: mrkdwn and plain text with Slack's three entities decoded,
rich text elements as sent (they have no control characters), joined up."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

_ENTITY = re.compile(r"&(amp|lt|gt);")
AMOUNT = re.compile(r"-?\$[\d,]+\.\d\d")


def unescape(text: str) -> str:
    """Slack decodes exactly `&amp;`, `&lt;` and `&gt;`; any other `&…;` stays as sent."""
    return _ENTITY.sub(lambda match: html.unescape(match.group(0)), text)


def markup_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn and plain_text string, as sent: the only places Slack reads `<…>` as a mention or link."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def rich_parts(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every leaf element of every rich text block, in order."""
    found: list[dict[str, Any]] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            if "elements" in element:
                walk(element["elements"])
            else:
                found.append(element)

    walk([block for block in blocks if block["type"] == "rich_text"])
    return found


def shown_text(blocks: list[dict[str, Any]]) -> str:
    """The words of every block, one block a line (rich text exactly as Slack would show it, decoded)."""
    lines = []
    for block in blocks:
        if block["type"] == "rich_text":
            lines += [
                "".join(_leaf(part) for part in rich_parts([{**block, "elements": [e]}])) for e in block["elements"]
            ]
        for text in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(text, dict) and text.get("type") in ("mrkdwn", "plain_text"):
                lines.append(unescape(text["text"]))
    return "\n".join(lines)


def _leaf(part: dict[str, Any]) -> str:
    if part["type"] in ("text", "link"):
        return str(part.get("text") or part["url"])
    return f"@{part['user_id']}" if part["type"] == "user" else ""


def cents(amount: str) -> int:
    return int(Decimal(amount.replace("$", "").replace(",", "")) * 100)


def header_and_lines(blocks: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """The balance a view shows, the sum of every amount under it, and its lines."""
    first, *lines = shown_text(blocks).splitlines()
    [balance] = AMOUNT.findall(first)
    amounts = [AMOUNT.findall(line) for line in lines]
    assert all(len(found) <= 1 for found in amounts)  # one amount a line: nothing counted twice
    return cents(balance), sum(cents(a) for found in amounts for a in found), lines
