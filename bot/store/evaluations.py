"""The anonymous evaluation offered when a reflection closes. Each answer is stored under a
keyed one-way digest of (thread, person) made with the thread's own random key, so that a
person's second answer replaces their first, while nothing in the row names them: no id, no
name, no message id, no time. Results are given only from SHOW_FROM answers on."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.schedules import upsert
from bot.store.schema import evaluation_answers, evaluations

SCORES = range(1, 6)  # the scale offered: 1 not useful … 5 very useful
SHOW_FROM = 3  # answers: below this nothing is shown, not even how many


@dataclass(frozen=True)
class EvaluationResult:
    answers: int
    mean: float
    counts: dict[int, int]  # score → how many gave it (every score of the scale)
    comments: list[str]


def answer_digest(salt: str, reflection_id: int, person: str) -> str:
    """What an answer is stored under: the same person always gives the same digest for a
    thread, but without the thread's key it cannot be made (or tested) from their id."""
    message = f"{reflection_id}:{person}".encode()
    return hmac.new(bytes.fromhex(salt), message, hashlib.sha256).hexdigest()


def result_of(scores: list[int], comments: list[str]) -> EvaluationResult | None:
    """The result, or None below SHOW_FROM answers (then not even the count is told)."""
    if len(scores) < SHOW_FROM:
        return None
    counted = Counter(scores)
    counts = {score: counted.get(score, 0) for score in SCORES}
    return EvaluationResult(len(scores), sum(scores) / len(scores), counts, comments)


class EvaluationStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open(self, reflection_id: int) -> bool:
        """Offer the evaluation of a thread (its random key made); False when it was
        offered already, so that it is posted once."""
        row = {"reflection_id": reflection_id, "salt": secrets.token_hex(32)}
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(evaluations).values(row))
        except IntegrityError:
            return False
        return True

    async def _salt(self, reflection_id: int) -> str | None:
        query = select(evaluations.c.salt).where(evaluations.c.reflection_id == reflection_id)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def answer(self, reflection_id: int, person: str, score: int) -> str | None:
        """Keep `person`'s score (their identity key, used for the digest and dropped), in
        place of any they gave before. The answer's digest, which the comment form carries
        back; None when the thread's evaluation was never offered (or is gone)."""
        salt = await self._salt(reflection_id)
        if salt is None or score not in SCORES:
            return None
        digest = answer_digest(salt, reflection_id, person)
        row = {"digest": digest, "reflection_id": reflection_id, "score": score}
        key, dialect = evaluation_answers.c.digest, self.engine.dialect.name
        async with self.engine.begin() as conn:
            await conn.execute(upsert(dialect, evaluation_answers, key, row, {"score": score}))
        return digest

    async def comment(self, reflection_id: int, digest: str, text: str) -> bool:
        """Keep the comment with the answer it belongs to (a second replaces the first);
        False when there is no such answer."""
        a = evaluation_answers.c
        where = (a.digest == digest) & (a.reflection_id == reflection_id)
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(evaluation_answers).where(where).values(comment=text)
            )
        return bool(changed.rowcount)

    async def result(self, reflection_id: int) -> EvaluationResult | None:
        """The thread's result, or None below SHOW_FROM answers. Comments come in the order
        of their digests: a random order, never that in which they were given."""
        a = evaluation_answers.c
        query = select(a.score, a.comment).where(a.reflection_id == reflection_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(a.digest))).all()
        comments = [row.comment for row in rows if row.comment]
        return result_of([row.score for row in rows], comments)
