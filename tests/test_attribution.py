"""How a quote's speaker, an article's authors and its publisher are printed: no name
twice, no quotation marks inside quotation marks, and what the source does not name said."""

from __future__ import annotations

import datetime as dt

from bot.content.model import Article, Quote
from bot.format import article_meta, attribution, credit, quoted_title

SILOS = Article(
    id="no-more-silos",
    title="No more silos",
    authors=("Emma Challans-Rasool", "Charlotte Williams"),
    date=dt.date(2023, 5, 12),
    source="Proud2bOps",
    topics=("manager-medic",),
    summary="",
    body="",
)
INTERVIEW = Article(
    id="female-leadership",
    title="Discussing Female Leadership with Charlotte Williams",
    authors=(),
    date=dt.date(2021, 9, 30),
    source="",
    topics=("inclusive-leadership",),
    summary="",
    body="",
)


def said(speaker: str, **fields: object) -> Quote:
    return Quote("q", "no-more-silos", "words", speaker, **fields)  # type: ignore[arg-type]


def test_the_speaker_comes_first_then_title_publisher_and_date() -> None:
    """One style everywhere (issue 22): speaker, then the article's title, publisher, date;
    the authors are not repeated after the speaker (they are on the article itself)."""
    quote = said("Emma Challans-Rasool and Charlotte Williams")
    assert attribution(quote, SILOS) == (
        "Emma Challans-Rasool and Charlotte Williams, in “No more silos”, Proud2bOps, 12 May 2023"
    )
    assert attribution(said("Rachna Vyas"), SILOS) == (
        "Rachna Vyas, in “No more silos”, Proud2bOps, 12 May 2023"
    )


def test_a_publisher_that_is_the_speaker_is_not_named_twice() -> None:
    quote = said("Proud2bOps")
    assert attribution(quote, SILOS) == "Proud2bOps, in “No more silos”, 12 May 2023"


def test_a_described_speaker_is_printed_with_the_reporters_and_capitalised() -> None:
    quote = said(
        "a medically trained participant in the tweet chat",
        described=True,
        reported_by=("Emma Challans-Rasool", "Charlotte Williams"),
    )
    assert attribution(quote, SILOS) == (
        "A medically trained participant in the tweet chat, reported by Emma Challans-Rasool "
        "and Charlotte Williams, in “No more silos”, Proud2bOps, 12 May 2023"
    )
    assert credit(quote) == (
        "A medically trained participant in the tweet chat, reported by Emma Challans-Rasool "
        "and Charlotte Williams"
    )


def test_a_role_follows_the_name_and_an_unnamed_publisher_is_said() -> None:
    quote = Quote(
        "q",
        INTERVIEW.id,
        "words",
        "Charlotte Williams",
        role="Chief Strategy and Improvement Officer, Mid and South Essex",
    )
    assert attribution(quote, INTERVIEW) == (
        "Charlotte Williams (Chief Strategy and Improvement Officer, Mid and South Essex), "
        "in “Discussing Female Leadership with Charlotte Williams”, "
        "publisher not named, 30 September 2021"
    )


def test_article_meta_says_when_no_author_is_named() -> None:
    assert article_meta(INTERVIEW) == "author not named · 30 September 2021"
    assert article_meta(SILOS) == "Emma Challans-Rasool and Charlotte Williams · 12 May 2023"


def test_a_quoted_title_is_not_quoted_twice() -> None:
    assert quoted_title("“Managers value you; do you know enough to value them?”") == (
        "Managers value you; do you know enough to value them?"
    )
    assert quoted_title("“The darkest hour is always before dawn”: Winter Pressures") == (
        "‘The darkest hour is always before dawn’: Winter Pressures"
    )
    assert quoted_title('Seen on the "dark side"') == "Seen on the ‘dark side’"
    assert quoted_title("“A” and “B”") == "‘A’ and ‘B’"
    quoted = Article(**{**SILOS.__dict__, "title": "“Managers value you?”"})
    line = attribution(said("Rachna Vyas"), quoted)
    assert "in “Managers value you?”, " in line and "““" not in line and "””" not in line
