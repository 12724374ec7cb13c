"""`adapters.nesting.too_deep`: the depth found without parsing is the depth the parser
would find, for any JSON, and no text it passes makes `json.loads` recurse too deep."""

from __future__ import annotations

import inspect
import json
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.nesting import MAX_DEPTH, MAX_VALUES, TOO_DEEP, TOO_MANY, refusal, too_deep

# strings full of what the scan must not count: brackets, quotes, backslashes
TRICKY = st.text(alphabet='[]{}"\\,:abc\u00e9😀 \n', max_size=8)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=40,
)


def depth(value: Any) -> int:
    """How deep the parsed JSON `value` nests: 0 for a scalar, 1 more for each array or object."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@given(JSON, st.integers(min_value=0, max_value=12), st.booleans())
def test_the_scan_finds_the_depth_the_parser_finds(value: Any, limit: int, spaced: bool) -> None:
    text = json.dumps(value, indent=1 if spaced else None, ensure_ascii=False)
    assert too_deep(text, limit) == (depth(value) > limit)


def nested(levels: int) -> str:
    return (
        '{"a":' * (levels // 2)
        + "[" * (levels - levels // 2)
        + "]" * (levels - levels // 2)
        + "}" * (levels // 2)
    )


def test_the_limit_is_exact() -> None:
    assert depth(json.loads(nested(MAX_DEPTH))) == MAX_DEPTH
    assert not too_deep(nested(MAX_DEPTH))
    assert too_deep(nested(MAX_DEPTH + 1))
    assert not too_deep(f'["{"[" * 10_000}"]')  # inside a string: not nesting


PIECES = ["[", "]", '{"a":', "}", "[" * 10, '"[', '"', '\\"', "\\\\", ",1", ":"]


@settings(max_examples=500)
@given(st.integers(0, 60), st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_nothing_it_passes_makes_the_parser_recurse_too_deep(opened: int, rest: str) -> None:
    """With a limit of 4 and room for 40 more frames, a parser never runs out of them on
    text the scan passes (what is unbalanced counts, inside strings does not)."""
    text = '[{"a":' * (opened // 2) + "[" * (opened % 2) + rest
    if too_deep(text, 4):
        return
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)
    try:
        json.loads(text)
    except ValueError:  # broken JSON is the caller's 400; RecursionError would escape
        pass
    finally:
        sys.setrecursionlimit(old)


def test_broken_text_counts_what_a_parser_would_enter() -> None:
    assert too_deep("[" * (MAX_DEPTH + 1))  # never closed
    assert not too_deep("]" * 10_000)  # a parser stops at the first
    assert not too_deep('["' + "[" * 10_000)  # all inside an unclosed string


def test_too_many_values_are_refused_and_commas_in_strings_do_not_count() -> None:
    assert refusal(json.dumps([0] * (MAX_VALUES - 1))) is None  # and the list itself
    assert refusal(json.dumps([0] * MAX_VALUES)) == TOO_MANY
    assert refusal(json.dumps({f"k{i}": [] for i in range(MAX_VALUES // 2 + 1)})) == TOO_MANY
    assert refusal(json.dumps(["," * 100_000, "[" * 100_000])) is None
    assert refusal(nested(MAX_DEPTH + 1)) == TOO_DEEP
    assert refusal(nested(MAX_DEPTH)) is None
