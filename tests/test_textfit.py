"""The text-fitting engine: cut, split and pack under any additive cost."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from adapters import textfit
from adapters.teams.fit import json_cost
from adapters.textfit import ELLIPSIS, Cost, cut, fit, joined, one_line, pack, split, split_text


def escaped(text: str) -> int:
    """Slack's cost: characters once `&`, `<` and `>` are escaped."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


COSTS: list[Cost] = [len, escaped, json_cost, lambda text: len(text.encode())]
cost = st.sampled_from(COSTS)
texts = st.text(st.sampled_from('ab cd\n\t&<>é😀"\\'), max_size=300)
budgets = st.integers(min_value=16, max_value=80)  # room for the costliest character
styles = st.sampled_from([False, True])
runs = st.lists(st.tuples(texts, styles), max_size=6)


def counted(measure: Cost) -> tuple[Cost, list[int]]:
    """The cost, and a list that collects how many characters it was asked about."""
    asked: list[int] = []

    def counting(text: str) -> int:
        asked.append(len(text))
        return measure(text)

    return counting, asked


def stars(bold: bool) -> int:
    return 2 * bold


# cut


def test_cut_keeps_text_that_fits() -> None:
    assert cut("a short line", 12) == "a short line"


def test_cut_ends_at_a_word_with_an_ellipsis() -> None:
    assert cut("the quick brown fox", 12) == "the quick…"
    assert cut("the quick brown fox", 15) == "the quick…"
    assert cut("the quick brown fox", 16) == "the quick brown…"


def test_cut_splits_a_word_when_no_word_fits() -> None:
    assert cut("abcdefghij", 5) == "abcd…"
    assert cut("anything", 0) == ELLIPSIS


def test_cut_counts_with_the_cost_given() -> None:
    assert cut("a & b & c", 8, escaped) == "a &…"
    assert cut("a&b&c", 8, escaped) == "a&b…"


def test_one_line_collapses_whitespace_and_is_never_empty() -> None:
    assert one_line("  two\n words ", 20) == "two words"
    assert one_line(" \n ", 20) == ELLIPSIS


@given(texts, budgets, cost)
def test_cut_fits_and_keeps_the_start(text: str, budget: int, measure: Cost) -> None:
    done = cut(text, budget, measure)
    assert measure(done) <= budget
    kept = done.removesuffix(ELLIPSIS) if done != text else done
    assert text.startswith(kept)


# fit


@given(texts, st.integers(min_value=-3, max_value=400), cost)
def test_fit_is_the_longest_start_that_fits(text: str, budget: int, measure: Cost) -> None:
    end = fit(text, budget, measure)
    assert measure(text[:end]) <= max(budget, 0)
    assert end == len(text) or measure(text[: end + 1]) > budget


@given(st.integers(min_value=0, max_value=20_000), st.integers(min_value=1, max_value=5_000))
def test_fit_asks_about_linearly_many_characters(length: int, budget: int) -> None:
    measure, asked = counted(escaped)
    fit("a&b " * (length // 4), budget, measure)
    assert sum(asked) <= 3 * budget + 64 and len(asked) <= 64


# split


@given(runs, budgets, cost)
def test_split_pieces_fit_the_budget(
    given_runs: list[tuple[str, bool]], budget: int, measure: Cost
) -> None:
    for piece in split(given_runs, budget, measure, stars):
        spent = sum(measure(gap) for gap, _word in piece)
        spent += sum(measure(text) + stars(bold) for _gap, word in piece for text, bold in word)
        assert spent <= budget


@given(runs, budgets, cost)
def test_split_loses_and_reorders_nothing(
    given_runs: list[tuple[str, bool]], budget: int, measure: Cost
) -> None:
    pieces = split(given_runs, budget, measure, stars)
    kept = [(c, bold) for piece in pieces for text, bold in joined(piece) for c in text]
    said = [(c, bold) for text, bold in given_runs for c in text]
    assert [k for k in kept if not k[0].isspace()] == [s for s in said if not s[0].isspace()]


@given(runs, budgets)
def test_split_keeps_the_whitespace_inside_a_piece(
    given_runs: list[tuple[str, bool]], budget: int
) -> None:
    whole = "".join(text for text, _bold in given_runs)
    at = 0
    for piece in split(given_runs, budget):
        text = "".join(text for text, _bold in joined(piece))
        found = whole.find(text, at)
        assert found >= 0 and not whole[at:found].strip()
        at = found + len(text)
    assert not whole[at:].strip()


@given(st.integers(min_value=0, max_value=5_000), budgets)
def test_split_asks_about_linearly_many_characters(words: int, budget: int) -> None:
    measure, asked = counted(escaped)
    text = " ".join(["w&rd", "x" * 90, "<b>"] * (words // 3))
    split([(text, False)], budget, measure)
    assert sum(asked) <= 8 * len(text) + 64


def test_split_text_breaks_at_whitespace() -> None:
    assert split_text("one two three four", 9) == ["one two", "three", "four"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_text("  ", 4) == []


def test_split_keeps_styles_with_their_words() -> None:
    pieces = split([("plain ", False), ("bold words", True)], 12, len, stars)
    assert [joined(p) for p in pieces] == [[("plain ", False), ("bold", True)], [("words", True)]]


# pack


def test_pack_counts_items_by_default() -> None:
    assert pack(range(7), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert pack([], 3) == []


def test_pack_carries_a_heading_to_the_next_page() -> None:
    heading: Callable[[str], bool] = str.isupper
    assert pack(["a", "b", "H", "c"], 3, carry=heading) == [["a", "b"], ["H", "c"]]
    assert pack(["H", "c", "d"], 1, carry=heading) == [["H"], ["c"], ["d"]]


@given(st.lists(st.integers(min_value=0, max_value=30)), st.integers(min_value=1, max_value=60))
def test_pack_fills_pages_in_order_under_the_budget(sizes: list[int], budget: int) -> None:
    pages = pack(list(enumerate(sizes)), budget, lambda item: item[1])
    assert [item for page in pages for item in page] == list(enumerate(sizes))
    for page in pages:
        assert page and (len(page) == 1 or sum(size for _n, size in page) <= budget)
    for page, after in itertools.pairwise(pages):
        assert sum(size for _n, size in page) + after[0][1] > budget  # no page ended early


def test_words_keep_the_whitespace_before_them() -> None:
    assert textfit.words([("  a b", False), ("c\n", True), ("d", False)]) == [
        ("  ", (("a", False),)),
        (" ", (("b", False), ("c", True))),
        ("\n", (("d", False),)),
    ]
