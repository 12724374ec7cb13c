"""Cross-checks over a loaded library: quotes verbatim, references resolve.

Entries that would mislead users (a quote not found in its article, a prompt whose quote
or topic is missing) are reported and removed from the library."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.content.model import Library, normalise_space


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
    return problems
