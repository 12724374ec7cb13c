"""The access log: lines like the other log lines, written in batches."""

from __future__ import annotations

import asyncio
import io
import json

from rounds.access import FLUSH_EVERY, AccessLog


async def test_lines_are_written_in_a_batch_after_a_short_wait() -> None:
    out = io.StringIO()
    log = AccessLog(out)
    for name in ("lookup", "quote", "help"):
        log.record("slack", "command", name, 0.42, "ok")
    assert out.getvalue() == ""  # not yet: one write for the whole batch
    await asyncio.sleep(FLUSH_EVERY + 0.2)
    lines = out.getvalue().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "slack command lookup 0.42ms ok",
        "slack command quote 0.42ms ok",
        "slack command help 0.42ms ok",
    ]
    assert all(" INFO rounds.access: " in line for line in lines)


def test_json_lines_carry_the_fields_and_flush_writes_what_is_left() -> None:
    out = io.StringIO()
    log = AccessLog(out, as_json=True)
    log.record("teams", "action", "quote.another", 1.5, "error")  # no loop: written at once
    log.record("teams", "message", "message", 0.1, "ok")
    log.flush()
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["logger"] == "rounds.access" and first["level"] == "info"
    assert (first["platform"], first["kind"], first["command"]) == (
        "teams",
        "action",
        "quote.another",
    )
    assert (first["latency_ms"], first["outcome"]) == (1.5, "error")
    assert second["command"] == "message"


def test_the_time_stamp_matches_the_logging_format() -> None:
    stamp = AccessLog(io.StringIO()).stamp(1_795_444_826.5)
    date, clock = stamp.split(" ")
    assert len(date) == 10 and clock.endswith(",500") and clock.count(":") == 2
