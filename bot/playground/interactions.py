"""Turning what a person did in the page into the payloads Slack sends: actions and input values."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

Element = dict[str, Any]
SINGLE_OPTION = ("static_select", "radio_buttons", "overflow", "external_select")
MANY_OPTIONS = ("multi_static_select", "checkboxes")


class BadInteraction(Exception):
    """The page asked for something the blocks on screen do not offer; nothing is sent."""


def interactive_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, Element]]:
    """(block_id, element) for every element a person can act on."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                yield block_id, element
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            yield block_id, block["accessory"]
        elif block.get("type") == "input" and isinstance(block.get("element"), dict):
            yield block_id, block["element"]


def find_element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> Element:
    for found_block, element in interactive_elements(blocks):
        if found_block == block_id and element.get("action_id") == action_id:
            return element
    raise BadInteraction(f"no element {action_id!r} in block {block_id!r}")


def _options(element: Element) -> list[dict[str, Any]]:
    groups = element.get("option_groups") or []
    return list(element.get("options") or []) + [o for group in groups for o in group.get("options", [])]


def _option(element: Element, value: str) -> dict[str, Any]:
    for option in _options(element):
        if option.get("value") == value:
            return option
    raise BadInteraction(f"{value!r} is not an option of {element.get('action_id')!r}")


def action_payload(block_id: str, element: Element, chosen: Any) -> dict[str, Any]:
    """The `actions[0]` of a block_actions payload for a click on (or a choice in) `element`."""
    kind = element.get("type")
    action: dict[str, Any] = {
        "type": kind,
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if kind == "button":
        action.update(text=element.get("text"), value=element.get("value"))
        if element.get("style"):
            action["style"] = element["style"]
        return action
    action.update(input_value(element, chosen))
    return action


def input_value(element: Element, chosen: Any) -> dict[str, Any]:
    """An element's entry in `view.state.values` (or an action's selection), from the page's raw value."""
    kind = str(element.get("type"))
    if kind in SINGLE_OPTION:
        return {"type": kind, "selected_option": _option(element, str(chosen)) if chosen else None}
    if kind in MANY_OPTIONS:
        chosen_values = chosen if isinstance(chosen, list) else []
        return {"type": kind, "selected_options": [_option(element, str(v)) for v in chosen_values]}
    if kind == "users_select":
        return {"type": kind, "selected_user": chosen or None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": chosen if isinstance(chosen, list) else []}
    if kind == "datepicker":
        return {"type": kind, "selected_date": chosen or None}
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        return {"type": kind, "value": str(chosen) if chosen not in (None, "") else None}
    raise BadInteraction(f"the playground cannot fill a {kind!r} element")


def state_values(blocks: list[dict[str, Any]], raw: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` for the input blocks of a view, from what the page collected."""
    values: dict[str, Any] = {}
    for block in blocks:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        block_id, action_id = str(block["block_id"]), str(element.get("action_id", ""))
        chosen = (raw.get(block_id) or {}).get(action_id)
        values[block_id] = {action_id: input_value(element, chosen)}
    return values


def missing_required(blocks: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, str]:
    """What Slack itself refuses before the app hears of a submission: a required input left empty."""
    errors: dict[str, str] = {}
    for block in blocks:
        if block.get("type") != "input" or block.get("optional"):
            continue
        entry: dict[str, Any] = next(iter(values.get(str(block["block_id"]), {}).values()), {})
        filled = [v for k, v in entry.items() if k != "type" and v not in (None, [], "")]
        if not filled:
            errors[str(block["block_id"])] = "Please fill out this field."
    return errors
