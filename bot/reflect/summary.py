"""What a closed reflection leaves behind: the summary posted in the thread and the Markdown
transcript for the facilitator. Pure functions of the thread and its contributions."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Any

from bot import guardrail
from bot import messages as m
from bot.content.model import ReflectionModel, Topic
from bot.format import markdown_literal
from bot.identity import user_of
from bot.replies import Block, Heading, Item, Note, Paragraph, Reply, Visibility
from bot.store.reflections import Contribution, Reflection

SHOW_COUNTS_FROM = 3  # people, so that no one is singled out
THEMES = 5
ACTION_CHARS = 200


def people(contributions: Sequence[Contribution]) -> int:
    """How many people can be proved to have taken part: the distinct named authors. An
    anonymous contribution proves no one more (it may be one of them), so it is never
    counted as a person."""
    return len({c.author for c in contributions if c.author})


def counts(contributions: Sequence[Contribution]) -> str | None:
    """The counts sentence, or None when fewer than SHOW_COUNTS_FROM people can be told
    apart (k-anonymity over what can be proved). Anonymous contributions are said apart:
    never folded into the people."""
    named = [c for c in contributions if c.author]
    anonymous = len(contributions) - len(named)
    who = people(contributions)
    if who < SHOW_COUNTS_FROM:
        return None
    text = m.SUMMARY_COUNTS.format(contributions=len(named), people=who)
    if anonymous:
        text += " " + m.SUMMARY_COUNTS_ANONYMOUS[anonymous == 1].format(count=anonymous)
    return text


@functools.cache
def _extractor() -> Any:
    import yake  # imported on first use: it pulls in numpy and networkx

    return yake.KeywordExtractor(lan="en", n=2, top=4 * THEMES, dedupLim=0.7)


def key_phrases(texts: Sequence[str], limit: int = THEMES) -> list[str]:
    """Key phrases of the replies (YAKE), without repeating a word. Phrases several replies
    share come first, longer ones before shorter; a single word counts only when more than
    one reply uses it. Made only from what passed the guardrail: every identifier and every
    word of a name found anywhere in the thread is cut out first, and a phrase that still
    holds one (or talks of NHS numbers and the like) is dropped."""
    clean = guardrail.cleaned([t.replace(m.REDACTED, " ") for t in texts if t.strip()])
    replies = [t for t in clean.texts if t.strip()]
    if not replies:
        return []
    found = _extractor().extract_keywords("\n".join(replies))
    lowered = [r.lower() for r in replies]
    ranked: list[tuple[int, str]] = []
    for phrase, _score in found:
        phrase = phrase.lower()
        shared = sum(phrase in reply for reply in lowered)
        if not clean.allows(phrase):
            continue
        if any(w.isalpha() for w in phrase.split()) and (" " in phrase or shared > 1):
            ranked.append((shared * len(phrase.split()), phrase))
    ranked.sort(key=lambda pair: -pair[0])  # stable: YAKE's order among equals
    return _distinct([phrase for _shared, phrase in ranked], limit)


def _distinct(phrases: list[str], limit: int) -> list[str]:
    chosen: list[str] = []
    used: set[str] = set()
    for phrase in phrases:
        words = set(phrase.split())
        if words & used:
            continue
        chosen.append(phrase)
        used |= words
        if len(chosen) == limit:
            break
    return chosen


def shorten(text: str, limit: int = ACTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def actions(model: ReflectionModel, contributions: Sequence[Contribution]) -> list[str]:
    """What people answered to the model's last question, in the order they said it, with
    every identifier and name found in the thread cut out."""
    last = len(model.steps) - 1
    clean = guardrail.cleaned([c.text for c in contributions]).texts
    return [
        shorten(text)
        for c, text in zip(contributions, clean, strict=True)
        if c.step == last and c.text.strip()
    ]


def summary_reply(
    reflection: Reflection,
    topic: Topic,
    model: ReflectionModel,
    contributions: Sequence[Contribution],
    passages: Sequence[Item],
    retention_days: int,
) -> Reply:
    blocks: list[Block] = [Heading(m.SUMMARY_TITLE.format(topic=topic.title))]
    if not contributions:
        blocks.append(Paragraph.of(m.SUMMARY_NOTHING))
    elif (said := counts(contributions)) is not None:
        blocks.append(Paragraph.of(said))
    else:
        blocks.append(Note(m.SUMMARY_COUNTS_HIDDEN))
    themes = key_phrases([c.text for c in contributions])
    if themes:
        blocks.append(Paragraph.of(m.SUMMARY_THEMES.format(themes=", ".join(themes))))
    if passages:
        blocks += [Paragraph.of(m.SUMMARY_PASSAGES), *passages]
    if contributions:
        blocks += _action_blocks(model, contributions)
    blocks.append(Note(footer(reflection).format(days=retention_days)))
    return Reply(
        kind="reflection-summary",
        blocks=tuple(blocks),
        visibility=Visibility.CHANNEL,
        summary=m.SUMMARY_TITLE.format(topic=topic.title),
        data={"reflection": str(reflection.id)},
    )


def footer(reflection: Reflection) -> str:
    """Who has the transcript: no one, when the facilitator asked to be forgotten (the
    close sends it to no one)."""
    return m.SUMMARY_FOOTER if reflection.facilitator else m.SUMMARY_FOOTER_NO_FACILITATOR


def _action_blocks(model: ReflectionModel, contributions: Sequence[Contribution]) -> list[Block]:
    named = actions(model, contributions)
    if not named:
        return [Note(m.SUMMARY_NO_ACTIONS)]
    question = model.steps[-1].question
    blocks: list[Block] = [Paragraph.of(m.SUMMARY_ACTIONS.format(question=question))]
    return blocks + [Paragraph.of(f"• {action}") for action in named]


def related_query(texts: Sequence[str]) -> str:
    """Words to look the thread up by: the words of its key phrases."""
    words = dict.fromkeys(w for phrase in key_phrases(texts) for w in phrase.split())
    return " ".join(w for w in words if re.fullmatch(r"[a-z][a-z'-]+", w))


def _stamp(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


def transcript(
    reflection: Reflection,
    topic: Topic,
    model: ReflectionModel,
    contributions: Sequence[Contribution],
) -> str:
    """The thread as Markdown, question by question. Anonymous contributions (and every
    reply of an anonymous thread) carry no name."""
    lines = [
        f"# Reflection #{reflection.id}: {topic.title}",
        "",
        f"- Model: {model.title}",
        f"- Opened: {_stamp(reflection.opened_at)}",
        f"- Closed: {_stamp(reflection.closed_at)}",
        f"- Contributions: {len(contributions)}",
    ]
    for number, step in enumerate(model.steps[: reflection.step + 1]):
        lines += ["", f"## Q{number + 1} ({step.label}) {step.question}", ""]
        answers = [c for c in contributions if c.step == number]
        lines += [_line(c) for c in answers] or ["- —"]
    return "\n".join(lines) + "\n"


def _line(contribution: Contribution) -> str:
    """One contribution as a list item: the name in bold, the words as typed (escaped, so a
    link or heading someone typed is shown as text, never rendered)."""
    said = markdown_literal(" ".join(contribution.text.split()))
    return f"- **{markdown_literal(_who(contribution))}**: {said}"


def _who(contribution: Contribution) -> str:
    if contribution.author is None:
        return m.TRANSCRIPT_ANONYMOUS
    return contribution.author_name or user_of(contribution.author)
