"""Cards a person takes in at a glance (issue 22): structural rules over every card and
Block Kit message of the fixture run (tests/card_fixture.py), as each platform's adapter
renders them. Pure Python: `make cards` draws the same run for a person to look at.

(a) no facilitator action on anything shown in a channel; (b) buttons within the label
budget; (c) no Markdown escapes a person would see; (d) a heading on every card and message;
(e) a search's results name the search; (f) commands typed as they must be typed there.
Each test lists every card that breaks its rule."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.slack.render import action_name
from adapters.teams.cards import KEY
from adapters.teams.check import NARROW_LABEL, narrow_problems
from adapters.textfit import scale
from bot import actions
from bot import replies as r
from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.replies import Reply
from bot.typed import is_command
from tests.card_fixture import (
    INVOKE,
    PLATFORMS,
    SEARCHED,
    Json,
    Shown,
    form_title,
    quiet,
    shown,
    slack_messages,
    teams_cards,
)

FACILITATOR = frozenset({actions.REFLECT_NEXT, actions.REFLECT_CLOSE})
# The label budget: what fits side by side on a phone (tools/cards measures it at 320 px);
# Teams' own is adapters/teams/check.py's (`narrow_problems`).
LABEL_CHARS = NARROW_LABEL  # one button's label, either platform
SLACK_BUTTONS = 3  # Slack: buttons in one actions block, beside at most one overflow menu
SLACK_OVERFLOWS = 1
# A backslash before a Markdown mark: Teams and Slack both show the backslash.
ESCAPE = re.compile(r"\\[\\`*_{}\[\]()#+\-.!<>~|=]")
CODE = re.compile(r"`([^`\n]+)`")
BOLD_LINE = re.compile(r"\*[^*\n]+\*")
SHOWN = ("text", "title", "label", "errorMessage", "placeholder")  # keys of words shown
SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Rendered:
    """One reply of the run and what the platform shows for it: Adaptive Cards (Teams) or
    each message's Block Kit blocks (Slack)."""

    seen: Shown
    outputs: list[Any]

    @property
    def name(self) -> str:
        return f"{self.seen.name} ({self.seen.where})"


@pytest.fixture(scope="module")
def runs(library: Library, index: LookupIndex) -> dict[str, list[Rendered]]:
    with quiet():
        seen = {p: asyncio.run(shown(p, library, index)) for p in PLATFORMS}
    return {
        "teams": [Rendered(s, teams_cards(s)) for s in seen["teams"]],
        "slack": [Rendered(s, slack_messages(s)) for s in seen["slack"]],
    }


def walk(node: Any) -> Iterator[Json]:
    """Every JSON object inside `node`, itself first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def report(broken: list[str]) -> str:
    return "\n".join(["", *broken])


# the run itself


def test_the_run_shows_what_the_issue_names(runs: dict[str, list[Rendered]]) -> None:
    for platform in PLATFORMS:
        names = {item.seen.name for item in runs[platform]}
        expected = {"help", "quote", "lookup", "reflection-opening", "facilitator-controls"}
        assert expected <= names, (platform, sorted(names))
        assert {"search-1", "error", "unknown", "anonymous-form", "reflection-summary"} <= names
        assert "home" in names  # with its chart: Teams' Chart.VerticalBar, checked as the rest
        [opening] = [i.seen for i in runs[platform] if i.seen.name == "reflection-opening"]
        assert opening.public and opening.how == "post"


# (a) no facilitator action on public posts


def teams_actions(card: Json) -> list[str]:
    """The Rounds action of every button and form in a card."""
    return [str(node["data"][KEY]) for node in walk(card) if KEY in node.get("data", {})]


def slack_actions(blocks: list[Json]) -> list[str]:
    """The action of every button, and of every option of an overflow menu, in a message."""
    found = [action_name(str(node["action_id"])) for node in walk(blocks) if "action_id" in node]
    for node in walk(blocks):
        if node.get("type") == "overflow":
            found += [action_name(str(o.get("value", "")).split(" ")[0]) for o in node["options"]]
    return found


def rendered_actions(platform: str, item: Rendered) -> list[str]:
    read = teams_actions if platform == "teams" else slack_actions
    return [action for output in item.outputs for action in read(output)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_nothing_shown_in_a_channel_carries_a_facilitator_action(
    runs: dict[str, list[Rendered]], platform: str
) -> None:
    broken = [
        f"{item.name}: {sorted(found)}"
        for item in runs[platform]
        if item.seen.public
        if (found := FACILITATOR & set(rendered_actions(platform, item)))
    ]
    assert not broken, report(broken)


# (b) action labels within budget


def teams_budget(card: Json) -> list[str]:
    """The adapter's own check of what a phone would cut (measured by `make cards` at
    320 px), and the label length every button keeps to, in the menu too."""
    titles = [
        str(n.get("title", "")) for n in walk(card) if str(n.get("type", "")).startswith("Action.")
    ]
    too_long = [f"label {t!r} is over {LABEL_CHARS}" for t in titles if len(t) > LABEL_CHARS]
    return narrow_problems(card) + too_long


def slack_budget(blocks: list[Json]) -> list[str]:
    broken: list[str] = []
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        buttons = [e for e in elements if e.get("type") == "button"]
        overflows = [e for e in elements if e.get("type") == "overflow"]
        labels = [b["text"]["text"] for b in buttons]
        if len(buttons) > SLACK_BUTTONS and not (scale(labels) and not overflows):
            labels = [b["text"]["text"] for b in buttons]
            broken.append(f"{len(buttons)} buttons {labels} (at most {SLACK_BUTTONS})")
        if len(overflows) > SLACK_OVERFLOWS:
            broken.append(f"{len(overflows)} overflow menus (at most {SLACK_OVERFLOWS})")
    for node in walk(blocks):
        if node.get("type") in ("button", "overflow"):
            labels = [node["text"]["text"]] if node["type"] == "button" else []
            labels += [o["text"]["text"] for o in node.get("options", [])]
            broken += [f"label {t!r} is over {LABEL_CHARS}" for t in labels if len(t) > LABEL_CHARS]
    return broken


@pytest.mark.parametrize("platform", PLATFORMS)
def test_buttons_keep_to_the_label_budget(runs: dict[str, list[Rendered]], platform: str) -> None:
    check = teams_budget if platform == "teams" else slack_budget
    broken = [
        f"{item.name}: {p}" for item in runs[platform] for o in item.outputs for p in check(o)
    ]
    assert not broken, report(broken)


# (c) no Markdown escapes


def texts(output: Any) -> list[str]:
    """Every string a person reads in a card or in a message's blocks (not button data)."""
    found: list[str] = []
    for node in walk(output):
        found += [text for key in SHOWN if isinstance(text := node.get(key), str)]
        if node.get("type") == "FactSet":
            found += [str(fact.get("value", "")) for fact in node.get("facts", [])]
    return found


def test_teams_shows_code_as_code_never_its_backticks(runs: dict[str, list[Rendered]]) -> None:
    """A command or a slug is a monospace run: a backtick in a card's text would be shown
    as it is."""
    broken = [
        f"{item.name}: {text[:80]!r}"
        for item in runs["teams"]
        for output in item.outputs
        for text in texts(output)
        if "`" in text
    ]
    assert not broken, report(broken)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_markdown_escapes_are_shown(runs: dict[str, list[Rendered]], platform: str) -> None:
    broken = [
        f"{item.name}: {escaped!r} in {text[:80]!r}"
        for item in runs[platform]
        for output in item.outputs
        for text in texts(output)
        for escaped in ESCAPE.findall(text)[:1]
    ]
    assert not broken, report(broken)


# (d) a heading on every card


def teams_heading(card: Json) -> str | None:
    """The text of the card's heading: its first element, a heading TextBlock or a Large
    Bolder RichTextBlock; None when it starts with anything else."""
    first = (card.get("body") or [{}])[0]
    if first.get("type") == "TextBlock" and first.get("style") == "heading":
        return str(first.get("text", ""))
    runs = first.get("inlines", []) if first.get("type") == "RichTextBlock" else []
    if runs and all(run.get("size") == "Large" and run.get("weight") == "Bolder" for run in runs):
        return "".join(str(run.get("text", "")) for run in runs)
    return None


def slack_heading(blocks: list[Json]) -> str | None:
    """The text of the message's heading: a header block, or a section whose first line is
    bold; None when it starts with anything else."""
    first = blocks[0] if blocks else {}
    if first.get("type") == "header":
        return str(first["text"]["text"])
    text = str(first.get("text", {}).get("text", "")) if first.get("type") == "section" else ""
    line = text.split("\n", 1)[0]
    return line.strip("*") if BOLD_LINE.fullmatch(line) else None


def headings(platform: str, item: Rendered) -> list[str | None]:
    """The heading of each card or message (a form's is its dialog's or modal's title)."""
    if item.seen.reply.form is not None:
        return [form_title(platform, item.seen) or None]
    heading = teams_heading if platform == "teams" else slack_heading
    return [heading(output) for output in item.outputs]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_card_starts_with_a_heading(runs: dict[str, list[Rendered]], platform: str) -> None:
    broken = [
        f"{item.name}: {'card' if platform == 'teams' else 'message'} {n} has no heading"
        for item in runs[platform]
        for n, found in enumerate(headings(platform, item), 1)
        if not (found or "").strip()
    ]
    assert not broken, report(broken)


# (e) the search named


@pytest.mark.parametrize("platform", PLATFORMS)
def test_search_results_name_the_search(runs: dict[str, list[Rendered]], platform: str) -> None:
    results = [item for item in runs[platform] if item.seen.reply.kind == "lookup"]
    assert results, "the run shows no search results"
    broken = [
        f"{item.name}: heading {found!r} does not name {SEARCHED!r}"
        for item in results
        if SEARCHED.lower() not in (found := headings(platform, item)[0] or "").lower()
    ]
    assert not broken, report(broken)


# (f) commands typed as they must be


def commands_in(reply: Reply) -> list[str]:
    """The commands the core shows in a reply, as `code` spans."""
    words = "\n".join(map(r.plain_text, reply.blocks))
    return [code for code in CODE.findall(words) if is_command(code)]


def slack_codes(blocks: list[Json]) -> list[str]:
    """The `code` spans of a message's text: in mrkdwn, and in plain text (a header), where
    Slack shows the backticks themselves."""
    return [
        code
        for node in walk(blocks)
        if node.get("type") in ("mrkdwn", "plain_text")
        for code in CODE.findall(unescaped(str(node.get("text", ""))))
    ]


def unescaped(text: str) -> str:
    """Slack's text as shown: its three escaped characters as themselves."""
    for entity, character in SLACK_ENTITIES:
        text = text.replace(entity, character)
    return text


def teams_words(card: Json) -> str:
    """Every text of the card as shown, monospace runs (how a card shows code) in backticks
    (Markdown escapes are taken out here: the escapes test reports them)."""
    found: list[str] = []
    for node in walk(card):
        text = node.get("text")
        if isinstance(text, str):
            text = ESCAPE.sub(lambda escaped: escaped.group()[1], text)
            found.append(f"`{text}`" if node.get("fontType") == "Monospace" else text)
    return "\n".join(found)


def typed_problems(platform: str, item: Rendered) -> list[str]:
    """Commands shown bare, or missing in the form they must be typed in."""
    invoke = INVOKE[platform]
    if platform == "slack":
        codes = [c for blocks in item.outputs for c in slack_codes(blocks)]
        words = "\n".join(f"`{c}`" for c in codes)
    else:
        words = "\n".join(teams_words(card) for card in item.outputs)
        codes = CODE.findall(words)
    broken = [f"`{code}` is shown bare" for code in codes if is_command(code)]
    wanted = Counter(commands_in(item.seen.reply))
    missing = [c for c, times in wanted.items() if words.count(f"{invoke}{c}") < times]
    return broken + [f"`{invoke}{code}` is not shown" for code in missing]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_commands_are_shown_as_they_must_be_typed(
    runs: dict[str, list[Rendered]], platform: str
) -> None:
    """Slack: everywhere `/rounds …`. Teams: `@Rounds …` in a channel; in a 1:1 chat, where
    private answers go, a command is typed bare."""
    shown_here = [i for i in runs[platform] if platform == "slack" or i.seen.public]
    broken = [f"{item.name}: {p}" for item in shown_here for p in typed_problems(platform, item)]
    assert not broken, report(broken)


# the rules catch what they are for


def test_the_rules_catch_broken_cards() -> None:
    heading = {"type": "TextBlock", "text": "Lookup: “words”", "style": "heading"}
    facilitator = {"type": "Action.Submit", "title": "Next", "data": {KEY: actions.REFLECT_NEXT}}
    titles = ["Contribute anonymously now", "Next question", "Close", "More"]
    buttons = [{"type": "Action.Submit", "title": t, "data": {KEY: "x"}} for t in titles]
    card = {"body": [{"type": "TextBlock", "text": "Type \\*help\\*"}], "actions": buttons}
    assert teams_actions({"actions": [facilitator]}) == [actions.REFLECT_NEXT]
    assert len(teams_budget(card)) == 4  # four side by side, 48 characters, a label of 26 (twice)
    assert ESCAPE.findall(texts(card)[0]) == ["\\*", "\\*"]
    assert teams_heading(card) is None and teams_heading({"body": [heading]}) == heading["text"]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Use `reflect next`"}}
    bold = {"type": "section", "text": {"type": "mrkdwn", "text": "*Lookup*\nmore"}}
    assert slack_heading([section]) is None and slack_heading([bold]) == "Lookup"
    overflow = {
        "type": "overflow",
        "options": [
            {
                "text": {"type": "plain_text", "text": "Close"},
                "value": f"{actions.REFLECT_CLOSE}:1 3",
            }
        ],
    }
    assert slack_actions([{"type": "actions", "elements": [overflow]}]) == [actions.REFLECT_CLOSE]
    assert slack_codes([section]) == ["reflect next"] and is_command("reflect next")
