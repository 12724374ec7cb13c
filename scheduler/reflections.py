"""The reflections' part of a scheduler pass: close threads whose deadline passed (or whose
close a crash cut short), post timed questions, send reminders, post anonymous
contributions whose post was cut short. The database says what is
due, and its compare-and-set updates let one replica act on each."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from bot import scheduled
from bot.context import Context
from bot.store.keeping import Purged
from bot.store.reflections import CLOSING, Reflection
from scheduler import series

log = logging.getLogger("rounds.scheduler")


async def run_due(ctx: Context) -> list[str]:
    """One pass; returns what was done (`closed:3`, `asked:3`, `reminded:3`, `posted:7` for
    an anonymous contribution whose post was cut short, `followed-up:3` for the follow-up of
    a closed thread's open actions). One thread's trouble is logged and left for the next
    pass; it never stops the others."""
    done: list[str] = []
    now = ctx.clock()
    for reflection in await ctx.store.reflections.due(now):
        try:
            done += await _due(ctx, reflection, now)
        except Exception as exc:
            log.warning(
                "reflection %d: scheduled work failed (%s); the next pass tries again",
                reflection.id,
                type(exc).__name__,
            )
    done += await scheduled.post_follow_ups(ctx, now)
    return done + await scheduled.post_unposted(ctx, now)


async def _due(ctx: Context, reflection: Reflection, now: dt.datetime) -> list[str]:
    if reflection.state == CLOSING or reflection.closes_at <= now:
        await scheduled.close(ctx, reflection)
        return [f"closed:{reflection.id}"]
    done: list[str] = []
    if reflection.next_step_at is not None and reflection.next_step_at <= now:
        asked = await scheduled.ask_next(ctx, reflection)
        if asked.failed is None:  # not posted: the question is asked again at the next pass
            done.append(f"asked:{reflection.id}")
    reminder_due = reflection.remind_at is not None and reflection.remind_at <= now
    if reminder_due and await scheduled.remind(ctx, reflection):
        done.append(f"reminded:{reflection.id}")
    return done


async def purge(ctx: Context) -> Purged:
    """Retention: threads closed (or stuck closing) more than the retention period ago go,
    with their contributions, after their transcripts are deleted from the direct messages
    they were sent to (one that cannot be deleted now keeps its thread's row until a later
    run manages). First, qualify any bare person id a replica on older code wrote during a
    rolling upgrade, so that permissions and `forget-me` find it. One log line says what
    went (counts only)."""
    qualified = await ctx.store.qualify_people()
    if qualified:
        log.info("identities: qualified %d rows written with a bare user id", qualified)
    before = ctx.clock() - dt.timedelta(days=ctx.retention_days)
    sent = await ctx.store.reflections.expired_transcripts(before)
    withdrawn = await scheduled.withdraw_transcripts(ctx, sent)
    removed = await ctx.store.reflections.purge(before)
    done = replace(removed, transcripts=len(withdrawn), transcripts_kept=len(sent) - len(withdrawn))
    log.info(
        "retention: deleted %d threads, %d contributions, %d unposted contributions, "
        "%d actions and updates; "
        "%d transcript messages or files withdrawn, %d kept to retry (closed before %s)",
        done.threads,
        done.contributions,
        done.unposted,
        done.actions,
        done.transcripts,
        done.transcripts_kept,
        before.date().isoformat(),
    )
    await series.purge(ctx)
    return done
