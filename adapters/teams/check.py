"""Checks of a finished Adaptive Card against what Teams accepts and what Rounds sends:
the schema's element types and nesting, text never read as Markdown, text boxes, submit and
link actions, buttons that show whole on a phone, and the size limit."""

from __future__ import annotations

from typing import Any

from adapters.teams.cards import (
    FORM_TEXT,
    INPUT,
    MARKDOWN,
    SCHEMA,
    SECONDARY,
    TASK_FETCH,
    TITLE_TEXT,
    VERSION,
    read_submit,
)
from adapters.teams.fit import (
    MAX_ACTIVITY_BYTES,
    NARROW_LABEL,
    NARROW_LABELS,
    OVERFLOW_LABEL,
    PRIMARY_ACTIONS,
    URL_CHARS,
    Json,
    size,
)
from adapters.textfit import scale

# How many buttons a phone shows whole side by side (PRIMARY_ACTIONS, NARROW_LABEL,
# NARROW_LABELS, OVERFLOW_LABEL) is defined once, in `fit`, with Teams' other limits;
# `cards` moves the buttons that do not fit into the `…` menu
__all__ = [
    "NARROW_LABEL",
    "NARROW_LABELS",
    "OVERFLOW_LABEL",
    "PRIMARY_ACTIONS",
    "narrow_problems",
    "problems",
]

BLOCK_TYPES = frozenset(
    {
        "TextBlock",
        "Container",
        "ColumnSet",
        "FactSet",
        "RichTextBlock",
        "ActionSet",
        "Chart.VerticalBar",  # with a fallback of the other types (`_chart_problems`)
    }
)
BODY_TYPES = BLOCK_TYPES | {"Input.Text"}  # a card's own body may hold a form's text box
LINK_SCHEMES = ("https://", "http://")
NESTED: dict[str, tuple[str, frozenset[str]]] = {
    "Container": ("items", BLOCK_TYPES),
    "Column": ("items", BLOCK_TYPES),
    "ColumnSet": ("columns", frozenset({"Column"})),
    "RichTextBlock": ("inlines", frozenset({"TextRun"})),
}


def problems(card: Json) -> list[str]:
    """Every way the card is not one we would send; empty when it is valid."""
    if not isinstance(card, dict):
        return ["the card is not a JSON object"]
    found = _header_problems(card) + _body_problems(card)
    found += _actions_problems("action", card.get("actions", []))
    return found + narrow_problems(card) + _size_problems(card)


def narrow_problems(card: Json) -> list[str]:
    """Buttons shown side by side (not in the `…` menu) that a phone would cut short, in
    the card's actions and in each ActionSet: more than PRIMARY_ACTIONS, a label over
    NARROW_LABEL characters, labels over NARROW_LABELS together (counting OVERFLOW_LABEL
    for the `…` button when some are in the menu)."""
    found = _narrow("actions", card.get("actions"))
    for n, element in enumerate(_elements(card.get("body")), 1):
        if element.get("type") == "ActionSet":
            found += _narrow(f"ActionSet {n}", element.get("actions"))
    return found


def _narrow(where: str, actions: Any) -> list[str]:
    buttons = [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    shown = [str(a.get("title", "")) for a in buttons if a.get("mode") != SECONDARY]
    found = [
        f"{where}: {title!r} is over {NARROW_LABEL} characters beside other buttons"
        for title in shown
        if len(title) > NARROW_LABEL
    ]
    if len(shown) > PRIMARY_ACTIONS and not (len(shown) == len(buttons) and scale(shown)):
        found.append(f"{where}: {len(shown)} buttons side by side (max {PRIMARY_ACTIONS})")
    menu = len(shown) < len(buttons)  # then the `…` button is beside them
    total = sum(map(len, shown)) + (OVERFLOW_LABEL if menu else 0)
    if total > NARROW_LABELS:
        beside = f" with the {OVERFLOW_LABEL} of the menu's `…`" if menu else ""
        found.append(
            f"{where}: labels side by side are {total} characters{beside} (max {NARROW_LABELS})"
        )
    return found


def _elements(items: Any) -> list[Json]:
    """Every element in `items` and below, depth first (columns too)."""
    found: list[Json] = []
    for element in items if isinstance(items, list) else []:
        if isinstance(element, dict):
            found.append(element)
            found += _elements(element.get("items")) + _elements(element.get("columns"))
    return found


def _body_problems(card: Json) -> list[str]:
    body = card.get("body")
    if not (isinstance(body, list) and body):
        return ["body is not a non-empty list"]
    found = _children_problems("body", body, BODY_TYPES)
    if sum(isinstance(e, dict) and e.get("type") == "Input.Text" for e in body) > 1:
        found.append("body has more than one text box")
    return found


def _header_problems(card: Json) -> list[str]:
    expected = {"type": "AdaptiveCard", "version": VERSION, "$schema": SCHEMA}
    return [
        f"{key} is {card.get(key)!r}, not {value!r}"
        for key, value in expected.items()
        if card.get(key) != value
    ]


def _children_problems(where: str, elements: list[Any], allowed: frozenset[str]) -> list[str]:
    found: list[str] = []
    for n, element in enumerate(elements, 1):
        kind = element.get("type") if isinstance(element, dict) else None
        path = f"{where}[{n}] ({kind})"
        if not isinstance(element, dict) or kind not in allowed:
            found.append(f"{path}: not an element allowed here ({', '.join(sorted(allowed))})")
            continue
        found += [f"{path}: {p}" for p in _element_problems(kind, element)]
        if kind in NESTED:
            key, kinds = NESTED[kind]
            children = element.get(key)
            if isinstance(children, list) and children:
                found += _children_problems(f"{path}.{key}", children, kinds)
            else:
                found.append(f"{path}: {key} is not a non-empty list")
    return found


def _element_problems(kind: str, element: Json) -> list[str]:
    text = element.get("text")
    if kind == "TextBlock":
        if not (isinstance(text, str) and text.strip()):
            return ["TextBlock has no text"]
        if MARKDOWN.search(text):
            return [f"TextBlock text would be read as Markdown (use TextRuns): {text[:40]!r}"]
    if kind == "TextRun" and not (isinstance(text, str) and text):
        return ["TextRun has no text"]
    if kind == "Input.Text":
        return _text_box_problems(element)
    if kind == "ActionSet":
        buttons = element.get("actions")
        if not isinstance(buttons, list) or not buttons:
            return ["actions is not a non-empty list"]
        return _actions_problems("action", buttons)
    if kind == "Chart.VerticalBar":
        return _chart_problems(element)
    if kind == "FactSet":
        facts = element.get("facts")
        if not isinstance(facts, list) or not facts or not all(map(_is_fact, facts)):
            return ["facts is not a non-empty list of title and value strings"]
    return []


def _chart_problems(chart: Json) -> list[str]:
    """A chart's bars (label and number each) and its fallback: an element of the usual
    types, checked as they are, for clients that cannot draw the chart."""
    data = chart.get("data")
    bars = isinstance(data, list) and data and all(map(_is_bar, data))
    found = [] if bars else ["data is not a non-empty list of x (text) and y (number)"]
    fallback = chart.get("fallback")
    if not isinstance(fallback, dict):
        return [*found, "the chart has no fallback element"]
    allowed = BLOCK_TYPES - {"Chart.VerticalBar"}
    return found + _children_problems("fallback", [fallback], allowed)


def _is_bar(bar: Any) -> bool:
    return (
        isinstance(bar, dict)
        and isinstance(bar.get("x"), str)
        and isinstance(bar.get("y"), int | float)
        and not isinstance(bar.get("y"), bool)
    )


def _is_fact(fact: Any) -> bool:
    return (
        isinstance(fact, dict)
        and isinstance(fact.get("title"), str)
        and isinstance(fact.get("value"), str)
    )


def _text_box_problems(box: Json) -> list[str]:
    found = [] if box.get("id") == INPUT else [f"the text box id is not {INPUT!r}"]
    label, value = box.get("label"), box.get("value", "")
    if not isinstance(label, str) or not label.strip():
        found.append("the text box has no label")
    if box.get("maxLength") != FORM_TEXT:
        found.append(f"the text box maxLength is not {FORM_TEXT}")
    if not isinstance(value, str) or len(value) > FORM_TEXT:
        found.append(f"the text box value is not text of at most {FORM_TEXT} characters")
    return found


def _actions_problems(where: str, actions: Any) -> list[str]:
    if not isinstance(actions, list):
        return ["actions is not a list"]
    found: list[str] = []
    for n, action in enumerate(actions, 1):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind == "Action.Submit":
            found += [f"{where} {n} {p}" for p in _submit_problems(action)]
        elif kind == "Action.OpenUrl":
            found += [f"{where} {n} {p}" for p in _link_problems(action)]
        else:
            found.append(f"{where} {n} is not an Action.Submit or Action.OpenUrl")
        if isinstance(action, dict) and action.get("mode", SECONDARY) not in (SECONDARY, "primary"):
            found.append(f"{where} {n} mode is {action.get('mode')!r}")
    return found


def _link_problems(action: Json) -> list[str]:
    found = _title_problems(action)
    url = action.get("url")
    if not isinstance(url, str) or len(url) > URL_CHARS or not url.startswith(LINK_SCHEMES):
        found.append(f"url is not an http or https address of at most {URL_CHARS}: {url!r}")
    if "data" in action:
        found.append("a link has data (Rounds is told nothing when it is opened)")
    return found


def _submit_problems(action: Json) -> list[str]:
    found = _title_problems(action)
    data = action.get("data")
    if not isinstance(data, dict) or read_submit(data) is None:
        found.append(f"data is not submit data: {data!r}")
    elif data.get("msteams", {"type": TASK_FETCH}) != {"type": TASK_FETCH}:
        found.append(f"data.msteams is not a dialog's {{'type': {TASK_FETCH!r}}}")
    return found


def _title_problems(action: Json) -> list[str]:
    title = action.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > TITLE_TEXT:
        return [f"title is not 1 to {TITLE_TEXT} characters: {title!r}"]
    return []


def _size_problems(card: Json) -> list[str]:
    try:
        bytes_ = size(card)
    except (TypeError, ValueError) as error:
        return [f"the card is not JSON: {error}"]
    if bytes_ > MAX_ACTIVITY_BYTES:
        return [f"the card is {bytes_} bytes (max {MAX_ACTIVITY_BYTES})"]
    return []
