"""Replies as the Slack payloads the adapter sends back: pages of a slash command's answer
(or of a `response_url` message) and the modal that answers a submitted form. Pure
functions of the replies, with a byte-bounded memo of rendered pages: a reply handed out
again (a popular lookup) is rendered, and its first page written as JSON, once."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack import text as t
from adapters.slack.render import FORM_BLOCK, form_view, notice_view, render
from bot import limits
from bot.events import Action
from bot.memo import IdentityMemo, rendered_size
from bot.replies import Paragraph, Reply, Visibility

Json = dict[str, Any]
WORKING_FORM = Reply(kind="notice", blocks=(Paragraph.of(t.FORM_WORKING),))

_RENDERED: IdentityMemo[Reply, list[Json]] = IdentityMemo(
    "slack-pages", limits.REPLY_MEMO_BYTES, rendered_size
)
# Memory per character of a first page's JSON, counting the reply the memo pins as well
# (tests/test_limits.py: 3.3 to 7 times the JSON's length for every kind of answer).
BODY_PER_CHAR = 8


def _body_size(reply: Reply, body: str) -> int:
    """A conservative size for a remembered JSON body and its reply, from the body's length
    alone: walking the reply's objects cost more than the search it answers."""
    return BODY_PER_CHAR * (len(body) + 64)


_BODIES: IdentityMemo[Reply, str] = IdentityMemo(
    "slack-bodies", limits.REPLY_MEMO_BYTES, _body_size
)


def pages(replies: list[Reply]) -> list[Json]:
    """Every page of the rendered replies as slash-command or `response_url` messages.
    Fresh dicts each time (callers add fields); the blocks inside are shared, never changed."""
    return [dict(page) for reply in replies for page in _RENDERED.get(reply, _pages_of)]


def page_count(replies: list[Reply]) -> int:
    """How many pages the replies take (each reply's rendering, made once)."""
    return sum(len(_RENDERED.get(reply, _pages_of)) for reply in replies)


def first_body(replies: list[Reply]) -> str | None:
    """The JSON of the first reply's first page, made once per reply (the HTTP response to
    a slash command); None when the first reply has no page of its own."""
    if not replies or not _RENDERED.get(replies[0], _pages_of):
        return None
    return _BODIES.get(replies[0], _first_page_json)


def _pages_of(reply: Reply) -> list[Json]:
    kind = "in_channel" if reply.visibility is Visibility.CHANNEL else "ephemeral"
    return [
        {"response_type": kind, "text": message.text, "blocks": message.blocks}
        for message in render(reply)
    ]


def _first_page_json(reply: Reply) -> str:
    return json.dumps(_RENDERED.get(reply, _pages_of)[0])


def form_of(replies: list[Reply]) -> Reply | None:
    """The form among the replies: the bot asks for text (a modal, in Slack)."""
    return next((r for r in replies if r.form is not None), None)


def form_ack(replies: list[Reply], action: Action, title: str) -> Json:
    """How a submitted form is answered: a form sent back with an error keeps the modal open
    with the error under the text box; anything else replaces the modal with what was said."""
    form = form_of(replies)
    if form is not None and form.form is not None and form.form.error:
        return {"response_action": "errors", "errors": {FORM_BLOCK: form.form.error}}
    return {"response_action": "update", "view": answer_view(replies, action, title)}


def answer_view(replies: list[Reply], action: Action, title: str) -> Json:
    """The bot's answer to a form as a modal: the form again (with its error), or a notice."""
    form = form_of(replies)
    if form is None:
        return notice_view(title, replies, t.FORM_CLOSE)
    return opened_form(form, action)


def opened_form(form: Reply, action: Action) -> Json:
    """The modal for a form the bot asks to open, in the conversation of the button pressed."""
    where = action.conversation
    return form_view(form, where.channel, where.workspace, t.FORM_CANCEL)


def working_view(title: str) -> Json:
    """The modal shown while a submitted form's answer is still being made."""
    return notice_view(title, [WORKING_FORM], t.FORM_CLOSE)


def private(text: str, **fields: Any) -> Json:
    """A private `response_url` message of plain text (what the adapter itself says)."""
    return {"response_type": "ephemeral", **fields, "text": text}
