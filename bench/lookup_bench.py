"""Lookup benchmark: latency and typo recall over a synthetic library of 10,000 passages.

The library is generated deterministically: words are drawn from a Zipf distribution over a
vocabulary made of the seed articles' words plus generated pseudo-words, 40–120 words per
paragraph. Queries are one or two moderately rare words from a random paragraph; each is
run as typed and with a one-letter typo (substitution, deletion, insertion or transposition
that never makes another vocabulary word). Exit status 1 if a target is missed."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.lookup import Document, LookupIndex  # noqa: E402
from bot.lookup.query import WORD  # noqa: E402

SEED = 20240611
SEEDS_DIR = Path("/work/shared/seeds")
PARAGRAPHS = 10_000
PSEUDO_WORDS = 25_000
BASE_QUERIES = 1_000  # each run exactly and with a typo: 2,000 timed lookups
TOP = 10
RARE_DF = (3, 300)  # "moderately rare": in this many passages
P99_TARGET_MS = 5.0
RECALL_TARGET = 0.95
TOTAL_TARGET_S = 60.0
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ONSETS = ["", "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w",
          "br", "ch", "cl", "dr", "fr", "gr", "pl", "pr", "sh", "st", "th", "tr"]  # fmt: skip
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ck"]


@dataclass(frozen=True)
class Query:
    exact: str
    typo: str
    words: int


def seed_words() -> list[str]:
    """The seed articles' words, most frequent first (the bundled articles' if the seeds
    are not on this machine)."""
    paths = sorted(SEEDS_DIR.glob("*.txt")) or sorted((ROOT / "content/articles").glob("*.md"))
    counts: Counter[str] = Counter()
    for path in paths:
        counts.update(w.lower() for w in WORD.findall(path.read_text(encoding="utf-8")))
    return sorted(counts, key=lambda w: (-counts[w], w))


def pseudo_word(rng: random.Random) -> str:
    syllables = rng.choice((2, 2, 3, 3, 4))
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                   for _ in range(syllables))  # fmt: skip


def vocabulary(rng: random.Random) -> list[str]:
    """Ranked words: the seeds' 300 commonest first, then rarer seed words and pseudo-words."""
    seeds = seed_words()
    known = set(seeds)
    pseudo: set[str] = set()
    while len(pseudo) < PSEUDO_WORDS:
        word = pseudo_word(rng)
        if word not in known and len(word) >= 4:
            pseudo.add(word)
    tail = seeds[300:] + sorted(pseudo)
    rng.shuffle(tail)
    return seeds[:300] + tail


def paragraphs(rng: random.Random, words: Sequence[str]) -> list[str]:
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    cumulative = list(_accumulate(weights))
    texts = []
    for _ in range(PARAGRAPHS):
        drawn = rng.choices(words, cum_weights=cumulative, k=rng.randint(40, 120))
        drawn[0] = drawn[0].capitalize()
        texts.append(" ".join(drawn) + ".")
    return texts


def _accumulate(values: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


def documents(rng: random.Random, texts: Sequence[str]) -> list[Document]:
    people = [f"{pseudo_word(rng).capitalize()} {pseudo_word(rng).capitalize()}" for _ in range(60)]
    topics = ["manager-medic", "wellbeing", "patient-flow", "digital", "talent", "diversity"]
    docs = []
    for i, text in enumerate(texts):
        article = i // 12
        arng = random.Random(article)
        authors = tuple(arng.sample(people, arng.randint(1, 2)))
        docs.append(
            Document(
                id=i, article_id=f"article-{article:04d}", ordinal=i % 12,
                title=" ".join(texts[article * 12].split()[:7]).capitalize(),
                authors=authors, people=authors, topics=(arng.choice(topics),),
                date=dt.date(2019, 1, 1) + dt.timedelta(days=article), text=text,
            )
        )  # fmt: skip
    return docs


def typo(rng: random.Random, word: str, known: set[str]) -> str:
    """One edit that yields no known word."""
    edits: list[Callable[[str, int], str]] = [
        lambda w, i: w[:i] + rng.choice(LETTERS) + w[i + 1 :],
        lambda w, i: w[:i] + w[i + 1 :],
        lambda w, i: w[:i] + rng.choice(LETTERS) + w[i:],
        lambda w, i: w[:i] + w[i + 1] + w[i] + w[i + 2 :] if i + 1 < len(w) else w,
    ]
    while True:
        changed = rng.choice(edits)(word, rng.randrange(len(word)))
        if changed != word and changed not in known and len(changed) >= 4:
            return changed


def queries(rng: random.Random, texts: Sequence[str], df: Counter[str]) -> list[Query]:
    known = set(df)
    low, high = RARE_DF
    out: list[Query] = []
    while len(out) < BASE_QUERIES:
        words = sorted({w.lower() for w in WORD.findall(rng.choice(texts))})
        rare = [w for w in words if low <= df[w] <= high and len(w) >= 5]
        size = 1 + len(out) % 2
        if len(rare) < size:
            continue
        chosen = rng.sample(rare, size)
        slot = rng.randrange(size)
        typed = [typo(rng, w, known) if i == slot else w for i, w in enumerate(chosen)]
        out.append(Query(" ".join(chosen), " ".join(typed), size))
    return out


def timed(index: LookupIndex, query: str) -> tuple[float, list[int]]:
    start = time.perf_counter()
    result = index.search(query, limit=TOP)
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, [hit.document.id for hit in result.hits]


def p99(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main() -> int:
    began = time.perf_counter()
    rng = random.Random(SEED)
    texts = paragraphs(rng, vocabulary(rng))
    docs = documents(rng, texts)
    df: Counter[str] = Counter()
    for text in texts:
        df.update({w.lower() for w in WORD.findall(text)})
    start = time.perf_counter()
    index = LookupIndex.from_documents(docs)
    build_s = time.perf_counter() - start
    plan = queries(rng, texts, df)
    for query in plan[:50]:  # warm-up, not counted
        index.search(query.typo, limit=TOP)
    exact_ms, typo_ms, recalls = [], [], []
    for query in plan:
        elapsed, exact_top = timed(index, query.exact)
        exact_ms.append(elapsed)
        elapsed, typo_top = timed(index, query.typo)
        typo_ms.append(elapsed)
        if exact_top:
            recalls.append(len(set(exact_top) & set(typo_top)) / len(exact_top))
    total_s = time.perf_counter() - began
    return report(index, build_s, exact_ms, typo_ms, recalls, total_s)


def report(
    index: LookupIndex,
    build_s: float,
    exact_ms: list[float],
    typo_ms: list[float],
    recalls: list[float],
    total_s: float,
) -> int:
    both = exact_ms + typo_ms
    recall = statistics.fmean(recalls)
    checks = [
        ("p99 latency, all lookups", f"{p99(both):.2f} ms", f"<= {P99_TARGET_MS} ms",
         p99(both) <= P99_TARGET_MS),
        ("p99 latency, typo lookups", f"{p99(typo_ms):.2f} ms", f"<= {P99_TARGET_MS} ms",
         p99(typo_ms) <= P99_TARGET_MS),
        ("recall@10, typo lookups", f"{recall:.3f}", f">= {RECALL_TARGET}",
         recall >= RECALL_TARGET),
        ("whole benchmark", f"{total_s:.1f} s", f"< {TOTAL_TARGET_S:.0f} s",
         total_s < TOTAL_TARGET_S),
    ]  # fmt: skip
    rows = [
        ("index build", f"{build_s:.2f} s"),
        ("documents (passages)", f"{len(index):,}"),
        ("vocabulary (raw words)", f"{len(index.vocabulary):,}"),
        ("lookups timed", f"{len(both):,} ({len(exact_ms)} exact, {len(typo_ms)} with a typo)"),
        *_latency_rows("exact", exact_ms),
        *_latency_rows("typo", typo_ms),
        *_latency_rows("all", both),
        ("recall@10, typo lookups", f"{recall:.3f}"),
    ]
    for name, value in rows:
        print(f"{name:<28} {value}")
    print(
        "\nrecall@10 = |top10(typo query) ∩ top10(exact query)| / |top10(exact query)|, averaged"
        "\nover the typo queries. Each lookup fetches the top 10 with snippets (the bot pages 3)."
    )
    print(f"\n{'target':<28} {'measured':<12} {'wanted':<12} result")
    for name, measured, wanted, ok in checks:
        print(f"{name:<28} {measured:<12} {wanted:<12} {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for *_, ok in checks) else 1


def _latency_rows(label: str, values: list[float]) -> list[tuple[str, str]]:
    return [
        (f"median latency, {label}", f"{statistics.median(values):.2f} ms"),
        (f"p99 latency, {label}", f"{p99(values):.2f} ms"),
    ]


if __name__ == "__main__":
    sys.exit(main())
