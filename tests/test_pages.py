"""GET /privacy and GET /terms over real HTTP, from Rounds served as `rounds serve` serves it:
plain HTML pages that anyone may read (the Teams package links to them), saying what the
`privacy` command says, with the organisation's name and contact; or a redirect to the
trust's own pages when ROUNDS_PRIVACY_URL or ROUNDS_TERMS_URL is set."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import notices
from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.notices import Organisation
from bot.replies import Paragraph, rich_text
from rounds import pages
from rounds.server import Options
from rounds.settings import Settings
from tests.conftest import TestBot, text_of
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import served, slack_settings
from tests.test_serve import serve
from tests.test_wording import slips

HOSTILE = "St <script>alert(1)</script> & Mary's NHS Trust"
EMAIL = "dpo@example.nhs.uk"
PATHS = ("/privacy", "/terms")


class Page(HTMLParser):
    """What an accessibility check reads of a page: its elements in order, the text of each
    heading and link, of the title and of the whole body, and its style sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self.links: list[tuple[str | None, str]] = []
        self.words: list[str] = []
        self.title = self.style = ""
        self._open: list[str] = []  # the element whose text is being gathered, if any
        self._text: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in GATHERED:
            self._open.append(tag)
            self._text = []
            self._href = dict(attrs).get("href") if tag == "a" else self._href

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1] != tag:
            return
        self._open.pop()
        text = " ".join("".join(self._text).split())
        if tag == "title":
            self.title = text
        elif tag == "style":
            self.style = "".join(self._text)
        elif tag == "a":
            self.links.append((self._href, text))
        else:
            self.headings.append((int(tag[1]), text))

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if "style" not in self._open and "title" not in self._open:
            self.words.append(data)

    def tags_of(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [t for t in self.tags if t[0] == name]

    @property
    def text(self) -> str:
        return " ".join("".join(self.words).split())


GATHERED = ("title", "style", "a", "h1", "h2", "h3", "h4", "h5", "h6")


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def plain(paragraph: str) -> str:
    """A paragraph as a page shows it: `typed words` in <code>, without the backticks."""
    return " ".join(paragraph.replace("`", "").split())


@asynccontextmanager
async def pages_of(
    library: Library, index: LookupIndex, settings: Settings
) -> AsyncIterator[tuple[str, aiohttp.ClientSession, TestBot]]:
    """Rounds served on a free port: its URL, an HTTP client, and its own bot to type to."""
    async with served(library, index, settings, Options(port=0, scheduler=False)) as (s, http):
        yield s.url, http, TestBot(s.bot)


def configured(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", **extra)


async def fetch(http: aiohttp.ClientSession, url: str) -> tuple[aiohttp.ClientResponse, str]:
    async with http.get(url, allow_redirects=False) as response:
        return response, await response.text()


async def test_both_pages_are_plain_html_locked_down_and_answer_head(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    async with pages_of(library, index, configured(tmp_path)) as (url, http, _bot):
        for path in PATHS:
            response, html = await fetch(http, url + path)
            assert response.status == 200
            headers = response.headers
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert "max-age=" in headers["Cache-Control"]
            csp = headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "unsafe" not in csp
            # the one style sheet is the one the policy allows, by its hash
            digest = hashlib.sha256(parsed(html).style.encode()).digest()
            assert f"style-src 'sha256-{base64.b64encode(digest).decode()}'" in csp
            async with http.head(url + path) as head:
                assert head.status == 200 and await head.read() == b""
                assert head.headers["Content-Security-Policy"] == csp


async def test_the_privacy_page_says_what_the_privacy_command_says(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    days = 45
    settings = configured(
        tmp_path, organisation=HOSTILE, privacy_contact=EMAIL, retention=dt.timedelta(days=days)
    )
    async with pages_of(library, index, settings) as (url, http, bot):
        _response, html = await fetch(http, url + "/privacy")
        reply = await bot.send("privacy")
    page = parsed(html)
    said = [rich_text(b.rich).removeprefix("• ") for b in reply.blocks if isinstance(b, Paragraph)]
    assert len(said) == len(notices.privacy(days, Organisation(HOSTILE, EMAIL)).paragraphs)
    missing = [p for p in said if plain(p) not in page.text]
    assert missing == []
    assert f"deleted {days} days after" in page.text and f"{days} days" in text_of(reply)
    assert HOSTILE in page.text and HOSTILE in text_of(reply)  # as written, to the reader
    assert "<script" not in html.lower() and "&lt;script&gt;" in html  # escaped in the HTML
    assert (f"mailto:{EMAIL}", EMAIL) in page.links
    assert EMAIL in text_of(reply)


async def test_the_terms_name_the_organisation_and_link_its_web_address(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    contact = "https://example.nhs.uk/information-governance?a=1&b=2"
    settings = configured(tmp_path, organisation=HOSTILE, privacy_contact=contact)
    async with pages_of(library, index, settings) as (url, http, _bot):
        _response, html = await fetch(http, url + "/terms")
    page = parsed(html)
    assert HOSTILE in page.text and "<script" not in html.lower()
    assert (contact, contact) in page.links and "a=1&amp;b=2" in html
    for words in ("patient-identifiable", "clinical advice", "authors and publishers"):
        assert words in page.text


async def test_without_a_name_or_contact_the_pages_say_who_in_general(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    async with pages_of(library, index, configured(tmp_path)) as (url, http, bot):
        privacy = parsed((await fetch(http, url + "/privacy"))[1])
        terms = parsed((await fetch(http, url + "/terms"))[1])
        reply = text_of(await bot.send("privacy"))
    assert notices.UNNAMED in terms.text and notices.UNNAMED in privacy.text
    assert "data protection officer" in privacy.text and "data protection officer" in reply
    assert "service is run by" not in reply  # no organisation named, no line naming it
    assert not [href for href, _ in privacy.links + terms.links if "mailto" in (href or "")]


async def test_a_contact_that_is_neither_email_nor_web_address_is_not_a_link(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    contact = 'javascript:alert("x")'
    settings = configured(tmp_path, privacy_contact=contact)
    async with pages_of(library, index, settings) as (url, http, _bot):
        html = (await fetch(http, url + "/privacy"))[1]
    page = parsed(html)
    assert contact in page.text and all(contact not in (h or "") for h, _ in page.links)


async def test_the_pages_redirect_to_the_trusts_own(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    own = {"/privacy": "https://trust.example.nhs.uk/privacy", "/terms": "https://t.example/t"}
    settings = configured(tmp_path, privacy_url=own["/privacy"], terms_url=own["/terms"])
    async with pages_of(library, index, settings) as (url, http, _bot):
        for path, there in own.items():
            response, _html = await fetch(http, url + path)
            assert response.status == pages.REDIRECT == 302
            assert response.headers["Location"] == there
            async with http.head(url + path, allow_redirects=False) as head:
                assert head.status == 302 and head.headers["Location"] == there


async def test_the_pages_take_no_input(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    """Public and read-only: nothing proves who asks, so nothing asked changes anything. A
    POST is refused (405), and a query string or a redirect target in it is ignored."""
    settings = configured(tmp_path, organisation="Example NHS Trust")
    async with pages_of(library, index, settings) as (url, http, _bot):
        for path in PATHS:
            _plain, page = await fetch(http, url + path)
            _queried, same = await fetch(http, url + path + "?next=https://evil.example/&x=1")
            assert same == page and "evil.example" not in same
            async with http.post(url + path, data=b"organisation=Other") as posted:
                assert posted.status == 405
            _after, again = await fetch(http, url + path)
            assert again == page and "Other" not in again


@pytest.mark.parametrize("slack", [False, True], ids=["no platform", "slack"])
async def test_the_pages_pass_the_structural_accessibility_checks(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path, slack: bool
) -> None:
    """Served on the main port whether a platform is configured or not; each page has a
    language, a title, one h1, no skipped heading level, a main landmark, links with text, no
    scripts and nothing fetched from elsewhere."""
    extra = {"organisation": HOSTILE, "privacy_contact": EMAIL}
    settings = slack_settings(fake, tmp_path / "r.db", **extra) if slack else None
    settings = settings or configured(tmp_path, **extra)
    async with pages_of(library, index, settings) as (url, http, _bot):
        for path in PATHS:
            page = parsed((await fetch(http, url + path))[1])
            assert accessibility_problems(page) == [], path


def accessibility_problems(page: Page) -> list[str]:
    return document_problems(page) + heading_problems(page) + content_problems(page)


def document_problems(page: Page) -> list[str]:
    """Language, title, encoding, viewport (320 px, zoom) and one main landmark."""
    html = page.tags_of("html")
    metas = [attrs for _, attrs in page.tags_of("meta")]
    viewport = [m for m in metas if m.get("name") == "viewport"]
    problems = [] if html and html[0][1].get("lang") == "en-GB" else ["no lang"]
    problems += [] if page.title else ["no title"]
    problems += [] if {"charset": "utf-8"} in metas else ["no charset"]
    scales = viewport and "width=device-width" in (viewport[0].get("content") or "")
    problems += [] if scales else ["no viewport"]
    return problems + ([] if len(page.tags_of("main")) == 1 else ["not one <main>"])


def heading_problems(page: Page) -> list[str]:
    """One h1, first; no level skipped on the way down; no empty heading."""
    levels = [level for level, _ in page.headings]
    problems = [] if levels[:1] == [1] and levels.count(1) == 1 else ["not exactly one h1, first"]
    problems += [f"h{b} after h{a}" for a, b in itertools.pairwise(levels) if b > a + 1]
    return problems + [f"empty h{level}" for level, text in page.headings if not text]


def content_problems(page: Page) -> list[str]:
    """Links say where they go; no scripts, nothing fetched, no inline style attributes."""
    problems = [f"link to {href} has no text" for href, text in page.links if not text]
    problems += [f"<{t}>" for t, _ in page.tags if t in ("script", "img", "link", "iframe")]
    return problems + [f"style= on <{t}>" for t, attrs in page.tags if "style" in attrs]


def test_the_check_sees_what_it_checks() -> None:
    bad = '<html><body><h2>x</h2><h1></h1><h1>y</h1><h4>z</h4><a href="/x"></a><script>'
    found = accessibility_problems(parsed(bad))
    assert {"no lang", "no title", "not exactly one h1, first", "h4 after h1"} <= set(found)
    assert {"empty h1", "link to /x has no text", "not one <main>", "<script>"} <= set(found)


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_colours_contrast_enough() -> None:
    """WCAG 2.2 1.4.3: text and links 4.5:1 on the page; focused links on their highlight."""
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast(pages.TEXT, pages.BACKGROUND) >= 4.5
    assert contrast(pages.LINK, pages.BACKGROUND) >= 4.5
    assert contrast(pages.TEXT, pages.FOCUS) >= 4.5
    used = set(re.findall(r"#[0-9a-f]{6}", pages.STYLE))
    assert used == {pages.BACKGROUND, pages.TEXT, pages.LINK, pages.FOCUS}


def test_every_sentence_of_the_notices_reads_cleanly() -> None:
    found = []
    for who in (Organisation(), Organisation("NHS Example Trust", EMAIL)):
        for notice in (notices.privacy(1, who), notices.privacy(30, who), notices.terms(who)):
            found += [p for p in (notice.lead, *notice.paragraphs) if slips(p)]
    assert found == []


async def test_rounds_serve_reads_the_settings_from_its_environment(tmp_path: Path) -> None:
    env = {
        "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "ROUNDS_ORGANISATION": "Example NHS Foundation Trust",
        "ROUNDS_PRIVACY_CONTACT": EMAIL,
        "ROUNDS_RETENTION_DAYS": "60",
        "ROUNDS_TERMS_URL": "https://www.example.nhs.uk/rounds-terms",
    }
    env |= {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "MicrosoftAppId": ""}
    async with serve(env) as (url, _printed), aiohttp.ClientSession() as http:
        privacy = parsed((await fetch(http, url + "/privacy"))[1])
        terms, _html = await fetch(http, url + "/terms")
    assert "run by Example NHS Foundation Trust" in privacy.text
    assert "deleted 60 days after" in privacy.text and (f"mailto:{EMAIL}", EMAIL) in privacy.links
    assert terms.status == 302 and terms.headers["Location"] == env["ROUNDS_TERMS_URL"]
