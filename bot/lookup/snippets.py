"""Turn FTS5 `snippet()` output into rich text: matched words bold, ellipses where cut.

FTS5 marks matches with private-use characters chosen here and cuts fragments at token
boundaries, which can fall inside a written word ("hasn’t", "Challans-Rasool"). The
fragment is therefore located in the passage and widened to whitespace on both sides, so
a word is never split."""

from __future__ import annotations

from bot.replies import Span

OPEN = "\ue000"  # start of a match
CLOSE = "\ue001"  # end of a match
CUT = "\ue002"  # where FTS5 cut the passage
ELLIPSIS = "…"
SNIPPET_TOKENS = 24
MARKERS = (OPEN, CLOSE, CUT)


def clean(text: str) -> str:
    """Drop our private marker characters from passage text before indexing."""
    return text.translate({ord(c): None for c in MARKERS})


def marked_spans(marked: str) -> list[Span]:
    """Split text with OPEN/CLOSE markers into plain and bold spans."""
    spans: list[Span] = []
    bold = False
    for part in marked.replace(CLOSE, OPEN).split(OPEN):
        if part:
            spans.append(Span(part, bold))
        bold = not bold
    return spans


def to_spans(snippet: str, passage: str) -> tuple[Span, ...]:
    """Rich text for a snippet of `passage`, widened to whole words."""
    body = snippet.strip(CUT)
    spans = marked_spans(body)
    fragment = "".join(s.text for s in spans)
    start = passage.find(fragment)
    if start < 0 or not fragment:
        return _merged([Span(ELLIPSIS), *spans, Span(ELLIPSIS)] if fragment else [])
    end = start + len(fragment)
    left, right = _widen(passage, start, end)
    pieces = [Span(passage[left:start]), *spans, Span(passage[end:right])]
    if left > 0:
        pieces.insert(0, Span(ELLIPSIS))
    if right < len(passage):
        pieces.append(Span(ELLIPSIS))
    return _merged(pieces)


def lead(passage: str, words: int = SNIPPET_TOKENS) -> tuple[Span, ...]:
    """The first words of a passage, for results listed by filter alone."""
    parts = passage.split()
    text = " ".join(parts[:words])
    return _merged([Span(text), Span(ELLIPSIS if len(parts) > words else "")])


def _widen(passage: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not passage[start - 1].isspace():
        start -= 1
    while end < len(passage) and not passage[end].isspace():
        end += 1
    return start, end


def _merged(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if out and out[-1].bold == span.bold:
            out[-1] = Span(out[-1].text + span.text, span.bold)
        else:
            out.append(span)
    return tuple(out)
