"""Cross-checks over a loaded library: quotes verbatim and credited to someone the article
names, titles without bylines, dates that fit the text, references resolve, and only an
article's own words ground what is offered unasked.

Entries that would mislead users (a quote not found in its article or credited to someone
it does not name, a prompt whose quote or topic is missing or is promotional) are reported
and removed from the library."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.content.dates import date_problems
from bot.content.model import Article, Library, Quote, normalise_space


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # "quote q-foo: text", "front matter: date", ...
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


def validate(library: Library) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_articles(library)
    problems += _check_quotes(library)
    problems += _check_prompts(library)
    problems += _check_topics(library)
    return problems


def _check_articles(library: Library) -> list[Problem]:
    problems = []
    for article in library.articles.values():
        for slug in article.topics:
            if slug not in library.topics:
                problems.append(Problem(article.origin, "topics", f"unknown topic {slug!r}"))
        byline = title_byline(article)
        if byline:
            problems.append(
                Problem(
                    article.origin,
                    "title",
                    f"ends with its byline “{byline}”: the authors are shown beside it already",
                )
            )
        for message in date_problems(article.body, article.date):
            problems.append(Problem(article.origin, "date", message))
    return problems


def _check_quotes(library: Library) -> list[Problem]:
    problems = []
    bodies = {a.id: normalise_space(a.body) for a in library.articles.values()}
    for quote in list(library.quotes.values()):
        where = f"quote {quote.id}"
        found = []
        if quote.article not in bodies:
            found.append(Problem(quote.origin, f"{where}: article", f"unknown {quote.article!r}"))
        elif normalise_space(quote.text) not in bodies[quote.article]:
            found.append(
                Problem(
                    quote.origin,
                    f"{where}: text",
                    f"not found verbatim in article {quote.article}",
                )
            )
        else:
            found += _check_credit(quote, library.articles[quote.article])
        for slug in quote.topics:
            if slug not in library.topics:
                problems.append(Problem(quote.origin, f"{where}: topics", f"unknown {slug!r}"))
        if found:
            del library.quotes[quote.id]
            problems += found
    return problems


def _check_prompts(library: Library) -> list[Problem]:
    problems = []
    for prompt in list(library.prompts.values()):
        where = f"prompt {prompt.id}"
        found = []
        if prompt.topic not in library.topics:
            found.append(Problem(prompt.origin, f"{where}: topic", f"unknown {prompt.topic!r}"))
        if prompt.quote not in library.quotes:
            found.append(
                Problem(prompt.origin, f"{where}: quote", f"unknown or invalid {prompt.quote!r}")
            )
        elif not grounds(library, library.quotes[prompt.quote]):
            found.append(Problem(prompt.origin, f"{where}: quote", _NOT_GROUNDS))
        if found:
            del library.prompts[prompt.id]
            problems += found
    return problems


def _check_topics(library: Library) -> list[Problem]:
    problems = []
    for topic in list(library.topics.values()):
        quote = topic.framing_quote
        if quote is not None and quote not in library.quotes:
            problems.append(
                Problem(
                    topic.origin,
                    f"topic {topic.slug}: framing_quote",
                    f"unknown or invalid {quote!r}",
                )
            )
            library.topics[topic.slug] = replace(topic, framing_quote=None)
        elif quote is not None and not grounds(library, library.quotes[quote]):
            where = f"topic {topic.slug}: framing_quote"
            problems.append(Problem(topic.origin, where, _NOT_GROUNDS))
            library.topics[topic.slug] = replace(topic, framing_quote=None)
    return problems


_NOT_GROUNDS = (
    "its quote is from promotional material, an advert or an article with an expires day: "
    "only an article's own words are offered unasked"
)


def grounds(library: Library, quote: Quote) -> bool:
    """Whether the quote may ground what Rounds offers unasked (a prompt, a framing quote)
    on any day: an article's words, from an article with no `expires` day."""
    article = library.articles.get(quote.article)
    return library.offered(quote) and article is not None and article.expires is None


# Names and descriptions: compared case-insensitively, with whitespace collapsed and
# typographic apostrophes and hyphens folded to ' and -.
_FOLD = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-"}
)
# Words a description shares with any text; the rest of its words must be in the article.
COMMON_WORDS = (
    "a an and the of in on at to for from by with who whom whose which that this one two "
    "three some several many other another its their his her our your was were is are"
)
_COMMON = frozenset(COMMON_WORDS.split())


def fold(text: str) -> str:
    return normalise_space(text.replace("\u00ad", "").translate(_FOLD)).casefold()


def split_names(names: str) -> list[str]:
    """`Dan Hughes and Paul St. Georges` → both names (also `A, B and C`, `A & B`)."""
    parts = re.split(r",\s*|\s+and\s+|\s*&\s*", names.strip())
    return [part for part in parts if part]


def _article_text(article: Article) -> str:
    return fold("\n".join([*article.authors, article.title, article.body]))


def named_in(name: str, article: Article) -> bool:
    """Whether the article names `name` (as a whole name) in its authors, title or text."""
    pattern = r"(?<![\w'-])" + re.escape(fold(name)) + r"(?![\w-])"
    return re.search(pattern, _article_text(article)) is not None


def missing_words(description: str, article: Article) -> list[str]:
    """The description's distinctive words (all but _COMMON) that do not begin a word in
    the article's title or text (`participant` is found in `participants`)."""
    text = fold(f"{article.title}\n{article.body}")
    words = [w for w in re.findall(r"[\w'-]+", fold(description)) if w not in _COMMON]
    return [w for w in words if not re.search(r"(?<![\w'-])" + re.escape(w), text)]


def _check_credit(quote: Quote, article: Article) -> list[Problem]:
    """The speaker is named (or, `described`, described) by the article, and each
    `reported_by` name is an author or named in it."""
    where = f"quote {quote.id}"
    found = [(f"{where}: speaker", m) for m in _speaker_problems(quote, article)]
    for name in quote.reported_by:
        if not named_in(name, article):
            message = f"{name!r} is neither an author of article {article.id} nor named in it"
            found.append((f"{where}: reported_by", message))
    return [Problem(quote.origin, field, message) for field, message in found]


def _speaker_problems(quote: Quote, article: Article) -> list[str]:
    if quote.described:
        missing = missing_words(quote.speaker, article)
        absent = ", ".join(f"“{w}”" for w in missing)
        return [f"the description is not in article {article.id}: no {absent}"] if missing else []
    return [
        f"{name!r} is not named in article {article.id} (its authors, title or text); "
        "when the article describes the speaker without a name, set described = true"
        for name in split_names(quote.speaker)
        if not named_in(name, article)
    ]


def title_byline(article: Article) -> str:
    """The byline a title ends with (`… by A and B`, the names all authors'), else ""."""
    match = re.search(r"\bby\s+([^?!.:;]+?)[\s.]*$", article.title, re.IGNORECASE)
    if not match or not article.authors:
        return ""
    authors = {fold(a) for a in article.authors}
    names = split_names(match[1])
    return match[0].strip() if names and {fold(n) for n in names} <= authors else ""
