"""Every Block Kit limit a finished Slack message must keep (`problems`): the renderer
keeps them by construction, and the tests and `make cards` check the JSON it made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.slack.render import (
    ACTION_ID,
    ACTIONS_ELEMENTS,
    BUTTON_TEXT,
    BUTTON_VALUE,
    CONTEXT_ELEMENTS,
    CONTEXT_TEXT,
    HEADER_TEXT,
    MAX_BLOCKS,
    OPTION_TEXT,
    OPTION_VALUE,
    OVERFLOW_OPTIONS,
    SECTION_TEXT,
    URL,
    Json,
    SlackMessage,
)


def problems(message: SlackMessage) -> list[str]:
    """Every way the message breaks a Block Kit limit; empty when Slack would accept it."""
    found = [] if message.text.strip() else ["the message text is empty"]
    if not 1 <= len(message.blocks) <= MAX_BLOCKS:
        found.append(f"{len(message.blocks)} blocks (Slack allows 1 to {MAX_BLOCKS})")
    ids: list[str] = []
    for n, block in enumerate(message.blocks, 1):
        kind = block.get("type", "?")
        found += [f"block {n} ({kind}): {p}" for p in _CHECKS.get(kind, _nothing)(block)]
        ids += [str(e["action_id"]) for e in _interactive(block) if "action_id" in e]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    return found + [f"action_id {i!r} is used more than once" for i in repeated]


def _interactive(block: Json) -> list[Json]:
    """A block's buttons and menus: an actions block's elements, a section's accessory."""
    accessory = block.get("accessory")
    return [*block.get("elements", []), *([accessory] if isinstance(accessory, dict) else [])]


def _nothing(block: Json) -> list[str]:
    return []


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else str(obj or "")


def _too_long(what: str, text: str, limit: int) -> list[str]:
    return [f"{what} is {len(text)} characters (max {limit})"] if len(text) > limit else []


def _section_problems(block: Json) -> list[str]:
    text = _text(block.get("text"))
    empty = [] if text.strip() or block.get("fields") else ["section has no text"]
    accessory = block.get("accessory")
    beside = _element_problems("accessory", accessory) if accessory else []
    return empty + _too_long("section text", text, SECTION_TEXT) + beside


def _header_problems(block: Json) -> list[str]:
    text = _text(block.get("text"))
    return ([] if text.strip() else ["header has no text"]) + _too_long("header", text, HEADER_TEXT)


def _context_problems(block: Json) -> list[str]:
    elements = block.get("elements", [])
    found = _count_problems("context", len(elements), CONTEXT_ELEMENTS)
    for n, element in enumerate(elements, 1):
        found += _too_long(f"context element {n}", _text(element), CONTEXT_TEXT)
    return found


def _actions_problems(block: Json) -> list[str]:
    elements = block.get("elements", [])
    found = _count_problems("actions", len(elements), ACTIONS_ELEMENTS)
    for n, element in enumerate(elements, 1):
        found += _element_problems(f"{element.get('type', 'element')} {n}", element)
    return found


def _element_problems(what: str, element: Json) -> list[str]:
    """A button's limits, or an overflow menu's (`what` names it in the problems)."""
    found = _too_long(f"{what} action_id", str(element.get("action_id", "")), ACTION_ID)
    if element.get("type") != "overflow":
        found += _too_long(f"{what} text", _text(element.get("text")), BUTTON_TEXT)
        found += _too_long(f"{what} value", str(element.get("value", "")), BUTTON_VALUE)
        return found + _too_long(f"{what} url", str(element.get("url", "")), URL)
    options = element.get("options", [])
    least, most = OVERFLOW_OPTIONS
    if not least <= len(options) <= most:
        found.append(f"{what} has {len(options)} options (Slack allows {least} to {most})")
    for k, option in enumerate(options, 1):
        found += _too_long(f"{what} option {k} text", _text(option.get("text")), OPTION_TEXT)
        found += _too_long(f"{what} option {k} value", str(option.get("value", "")), OPTION_VALUE)
        found += _too_long(f"{what} option {k} url", str(option.get("url", "")), URL)
    return found


def _count_problems(kind: str, count: int, limit: int) -> list[str]:
    if 1 <= count <= limit:
        return []
    return [f"{kind} block has {count} elements (Slack allows 1 to {limit})"]


_CHECKS: dict[str, Callable[[Json], list[str]]] = {
    "section": _section_problems,
    "header": _header_problems,
    "context": _context_problems,
    "actions": _actions_problems,
}
