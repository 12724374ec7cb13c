"""GET /privacy and GET /terms: the notices of bot/notices.py as plain, accessible HTML
pages, public and read-only (the Teams app package links to them). A trust that hosts its
own sets ROUNDS_PRIVACY_URL or ROUNDS_TERMS_URL, and the page redirects there instead."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from bot import notices
from bot.context import Context
from bot.notices import Notice
from rounds.settings import Settings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Colours, with their contrast on BACKGROUND (tests/test_pages.py checks each is 4.5:1 or more)
BACKGROUND, TEXT, LINK, FOCUS = "#ffffff", "#212b32", "#005eb8", "#ffeb3b"
STYLE = f"""
body{{margin:0;padding:1rem;background:{BACKGROUND};color:{TEXT};
font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}}
main,footer{{max-width:40rem;margin:0 auto}}
h1{{font-size:1.75rem;line-height:1.25;margin:1rem 0}}
h2{{font-size:1.25rem;line-height:1.3;margin:2rem 0 .5rem}}
p{{margin:0 0 1rem;overflow-wrap:break-word}}
a{{color:{LINK};overflow-wrap:anywhere}}
a:focus{{outline:3px solid {TEXT};outline-offset:2px;background:{FOCUS};color:{TEXT}}}
code{{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em}}
footer{{margin-top:2rem;padding-top:1rem;border-top:1px solid {TEXT}}}
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    # no scripts, images, frames or forms: only the one inline style sheet above
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=300",  # the text changes only when the settings do
}
REDIRECT = 302  # Found: GET and HEAD stay GET and HEAD
FOOTER = '<a href="privacy">Privacy notice</a> · <a href="terms">Terms of use</a>'
EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")


def add_pages(router: web.UrlDispatcher, settings: Settings, ctx: Context) -> None:
    """/privacy and /terms (GET and HEAD), filled in with the retention and the organisation
    that the `privacy` command uses."""
    privacy = notices.privacy(ctx.retention_days, ctx.organisation)
    router.add_get("/privacy", page(privacy, settings.privacy_url))
    router.add_get("/terms", page(notices.terms(ctx.organisation), settings.terms_url))


def page(notice: Notice, elsewhere: str | None) -> Handler:
    """A handler that answers the notice's page, rendered once, or a redirect `elsewhere`."""
    body = render(notice).encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        if elsewhere:
            headers = {"Location": elsewhere, "Cache-Control": HEADERS["Cache-Control"]}
            return web.Response(status=REDIRECT, headers=headers)
        return web.Response(body=body, headers=HEADERS)

    return handle


def render(notice: Notice) -> str:
    """The whole page: a title, one h1, a lead paragraph and an h2 per section."""
    title = escape(notice.title)
    sections = "".join(
        f"<h2>{escape(s.heading)}</h2>\n"
        + "".join(f"<p>{inline(p, notice)}</p>\n" for p in s.paragraphs)
        for s in notice.sections
    )
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{title}</h1>\n<p>{escape(notice.lead)}</p>\n{sections}</main>\n"
        f'<footer><nav aria-label="Rounds">{FOOTER}</nav></footer>\n</body>\n</html>\n'
    )


def inline(text: str, notice: Notice) -> str:
    """A paragraph, escaped: the organisation's contact as a link, `typed words` as code."""
    contact = notice.contact
    if not contact or contact not in text:
        return _code(text)
    return _link(contact).join(_code(part) for part in text.split(contact))


def _code(text: str) -> str:
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick is shown as it is
        return escape(text)
    return "".join(
        f"<code>{escape(part)}</code>" if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def _link(contact: str) -> str:
    """An email address as mailto:, a web address as itself; anything else as text."""
    if contact.startswith(("https://", "http://", "mailto:")):
        href = contact
    elif EMAIL.fullmatch(contact):
        href = f"mailto:{contact}"
    else:
        return escape(contact)
    return f'<a href="{escape(href)}">{escape(contact)}</a>'
