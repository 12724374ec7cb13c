"""What a closed reflection leaves behind: the summary posted in the thread and the Markdown
transcript for the facilitator. Pure functions of the thread and its contributions: `digest`
and `transcript`, the heavy ones, take and return plain data, so they can run in a worker
(`bot.reflect.worker`) while the event loop answers everyone else."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import guardrail
from bot import messages as m
from bot.content.model import ReflectionModel, Topic
from bot.format import markdown_literal, when
from bot.identity import user_of
from bot.replies import Block, Heading, Item, Note, Paragraph, Reply, Visibility
from bot.store.actions import ActionItem, ActionUpdate
from bot.store.evaluations import EvaluationResult
from bot.store.reflections import Contribution, Reflection

SHOW_COUNTS_FROM = 3  # people, so that no one is singled out
THEMES = 5
ACTION_CHARS = 200
# Themes are drawn from at most this many characters of replies, taken evenly across the
# thread, so a summary's cost is bounded whatever the thread's size (YAKE reads it all).
THEME_BUDGET = 60_000
ACTIONS_SHOWN = 20  # answers to the last question listed in the summary; the rest counted


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
    """Key phrases of the replies (YAKE), without repeating a word: `themes`, all read."""
    return themes(texts, limit, budget=None)[0]


def themes(
    texts: Sequence[str], limit: int = THEMES, budget: int | None = THEME_BUDGET
) -> tuple[list[str], int]:
    """Key phrases of the replies, and how many replies they were drawn from (at most
    `budget` characters of them, `spread` across the thread). Phrases several replies share
    come first, longer ones before shorter; a single word counts only when more than one
    reply uses it. Made only from what passed the guardrail: every identifier and every word
    of a name found anywhere in the thread (all of it, not only what is read) is cut out
    first, and a phrase that still holds one (or talks of NHS numbers and the like) is
    dropped."""
    clean = guardrail.cleaned([t.replace(m.REDACTED, " ") for t in texts if t.strip()])
    replies = [t for t in clean.texts if t.strip()]
    if budget is not None:
        replies = spread(replies, budget)
    if not replies:
        return [], 0
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
    return _distinct([phrase for _shared, phrase in ranked], limit), len(replies)


def spread(texts: Sequence[str], budget: int) -> list[str]:
    """All the texts when they fit in `budget` characters; else every k-th, in order, so
    that every part of a long thread is heard, up to the budget."""
    total = sum(len(text) for text in texts)
    if total <= budget:
        return list(texts)
    chosen, used = [], 0
    for text in texts[:: -(-total // budget)]:
        if used + len(text) <= budget:
            chosen.append(text)
            used += len(text)
    return chosen


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


def last_answers(
    model: ReflectionModel, contributions: Sequence[Contribution]
) -> list[tuple[Contribution, str]]:
    """The answers to the model's last question, in the order they were said, each with its
    words as cleaned: every identifier and name found in the thread cut out."""
    last = len(model.steps) - 1
    clean = guardrail.cleaned([c.text for c in contributions]).texts
    return [
        (c, text)
        for c, text in zip(contributions, clean, strict=True)
        if c.step == last and c.text.strip()
    ]


def actions(model: ReflectionModel, contributions: Sequence[Contribution]) -> list[str]:
    """What people answered to the model's last question (`last_answers`), shortened."""
    return [shorten(text) for _c, text in last_answers(model, contributions)]


@dataclass(frozen=True)
class Digest:
    """What a summary says about the replies, made by `digest` (in a worker: plain data)."""

    themes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # the first ACTIONS_SHOWN
    more_actions: int = 0  # answers to the last question not listed
    read: int = 0  # replies the themes were drawn from
    replies: int = 0  # replies with words in them


def digest(
    model: ReflectionModel, contributions: Sequence[Contribution], budget: int = THEME_BUDGET
) -> Digest:
    """The themes and actions of a thread: the heavy part of a close, bounded by `budget`
    (themes) and ACTIONS_SHOWN (actions)."""
    texts = [c.text for c in contributions if c.text.strip()]
    found, read = themes(texts, budget=budget)
    named = actions(model, contributions)
    return Digest(
        themes=tuple(found),
        actions=tuple(named[:ACTIONS_SHOWN]),
        more_actions=max(len(named) - ACTIONS_SHOWN, 0),
        read=read,
        replies=len(texts),
    )


def summary_reply(
    reflection: Reflection,
    topic: Topic,
    model: ReflectionModel,
    contributions: Sequence[Contribution],
    made: Digest,
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
    if made.themes:
        blocks.append(Paragraph.of(m.SUMMARY_THEMES.format(themes=", ".join(made.themes))))
        if made.read < made.replies:
            blocks.append(Note(m.SUMMARY_THEMES_READ.format(read=made.read, of=made.replies)))
    if passages:
        blocks += [Paragraph.of(m.SUMMARY_PASSAGES), *passages]
    if contributions:
        blocks += _action_blocks(model, made)
    blocks.append(Note(footer(reflection).format(days=m.plural(retention_days, "day"))))
    return Reply(
        kind="reflection-summary",
        blocks=tuple(blocks),
        visibility=Visibility.CHANNEL,
        summary=m.SUMMARY_TITLE.format(topic=topic.title),
        subject=str(reflection.id),
    )


def footer(reflection: Reflection) -> str:
    """Who has the transcript: no one, when the facilitator asked to be forgotten (the
    close sends it to no one)."""
    return m.SUMMARY_FOOTER if reflection.facilitator else m.SUMMARY_FOOTER_NO_FACILITATOR


def _action_blocks(model: ReflectionModel, made: Digest) -> list[Block]:
    if not made.actions:
        return [Note(m.SUMMARY_NO_ACTIONS)]
    question = model.steps[-1].question
    blocks: list[Block] = [Paragraph.of(m.SUMMARY_ACTIONS.format(question=question))]
    blocks += [Paragraph.of(f"• {action}") for action in made.actions]
    if made.more_actions:
        blocks.append(Note(m.SUMMARY_MORE_ACTIONS.format(count=made.more_actions)))
    return blocks


def related_query(phrases: Sequence[str]) -> str:
    """Words to look the thread up by: the words of its key phrases, leaving out short ones
    (`us`, `use`), which would find, and bold, words in any passage."""
    words = dict.fromkeys(w for phrase in phrases for w in phrase.split())
    return " ".join(w for w in words if re.fullmatch(r"[a-z][a-z'-]{3,}", w))


def _stamp(moment: dt.datetime | None, timezone: str) -> str:
    return when(moment, timezone) if moment else "—"


def named_people(contributions: Sequence[Contribution]) -> list[str]:
    """The platform user ids of the named contributions' authors, each once: who a
    transcript may name. Anonymous contributions have no author, so no one to ask about."""
    return list(dict.fromkeys(user_of(c.author) for c in contributions if c.author))


def transcript(
    reflection: Reflection,
    topic: Topic,
    model: ReflectionModel,
    contributions: Sequence[Contribution],
    timezone: str,
    names: Mapping[str, str] | None = None,
    actions: Sequence[ActionItem] = (),
    updates: Sequence[ActionUpdate] = (),
) -> str:
    """The thread as Markdown, question by question, its times in `timezone`, each named
    contribution under its author's name from `names` (user id → display name), the name
    stored with it, or else the user id. Anonymous contributions (and every reply of an
    anonymous thread) carry no name. After a close, its actions (done or open) and the
    replies to their follow-up."""
    known = names or {}
    lines = [
        f"# Reflection #{reflection.id}: {topic.title}",
        "",
        f"- Model: {model.title}",
        f"- Opened: {_stamp(reflection.opened_at, timezone)}",
        f"- Closed: {_stamp(reflection.closed_at, timezone)}",
        f"- Contributions: {len(contributions)}",
    ]
    for number, step in enumerate(model.steps[: reflection.step + 1]):
        lines += ["", f"## Q{number + 1} ({step.label}) {step.question}", ""]
        answers = [c for c in contributions if c.step == number]
        lines += [_line(c, known) for c in answers] or ["- —"]
    stored = {user_of(c.author): c.author_name for c in contributions if c.author and c.author_name}
    return "\n".join(lines + _follow_through(actions, updates, {**stored, **known})) + "\n"


def _follow_through(
    actions: Sequence[ActionItem], updates: Sequence[ActionUpdate], names: Mapping[str, str]
) -> list[str]:
    """The transcript's "Actions" and "Follow-up updates" sections (none when empty)."""
    lines: list[str] = []
    if actions:
        lines += ["", f"## {m.TRANSCRIPT_ACTIONS}", ""]
        for a in actions:
            status = m.TRANSCRIPT_DONE if a.done else m.TRANSCRIPT_OPEN
            lines.append(f"{a.number}. [{status}] {markdown_literal(' '.join(a.text.split()))}")
    if updates:
        lines += ["", f"## {m.TRANSCRIPT_UPDATES}", ""]
        for u in updates:
            who = names.get(user_of(u.author)) or user_of(u.author) if u.author else None
            said = markdown_literal(" ".join(u.text.split()))
            lines.append(f"- **{markdown_literal(who or m.TRANSCRIPT_ANONYMOUS)}**: {said}")
    return lines


def evaluation_section(result: EvaluationResult | None) -> str:
    """The evaluation as Markdown, after the transcript: the mean, how many gave each score
    and what people would change; below three answers, only that it is not shown."""
    lines = ["", f"## {m.EVALUATION_TRANSCRIPT_TITLE}", ""]
    if result is None:
        return "\n".join([*lines, m.EVALUATION_TRANSCRIPT_HIDDEN]) + "\n"
    counts = ", ".join(f"{score}: {count}" for score, count in sorted(result.counts.items()))
    lines += [
        f"- {m.EVALUATION_TRANSCRIPT_ANSWERS.format(count=result.answers)}",
        f"- {m.EVALUATION_TRANSCRIPT_MEAN.format(mean=f'{result.mean:.1f}')}",
        f"- {m.EVALUATION_TRANSCRIPT_COUNTS.format(counts=counts)}",
    ]
    if result.comments:
        lines += ["", f"### {m.EVALUATION_TRANSCRIPT_COMMENTS}", ""]
        lines += [f"- {markdown_literal(' '.join(c.split()))}" for c in result.comments]
    return "\n".join(lines) + "\n"


def _line(contribution: Contribution, names: Mapping[str, str]) -> str:
    """One contribution as a list item: the name in bold, the words as typed (escaped, so a
    link or heading someone typed is shown as text, never rendered)."""
    said = markdown_literal(" ".join(contribution.text.split()))
    return f"- **{markdown_literal(_who(contribution, names))}**: {said}"


def _who(contribution: Contribution, names: Mapping[str, str]) -> str:
    if contribution.author is None:
        return m.TRANSCRIPT_ANONYMOUS
    user = user_of(contribution.author)
    return names.get(user) or contribution.author_name or user
