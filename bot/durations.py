"""How long things last: each default defined once, here.

The settings (`rounds/settings.py`) take their defaults from these, and an operator may
change each one there; the entry point reads the settings once and passes the values down.
The defaults below reach only what is built without settings: tests and tools."""

from __future__ import annotations

import datetime as dt

# A reflection thread and its contributions are deleted this long after the thread closes.
RETENTION = dt.timedelta(days=90)

# The actions named at a reflection's close are followed up in its thread this long after
# (only when the thread is kept that long).
FOLLOW_UP = dt.timedelta(days=14)

# A claim (a scheduled post, or a reflection's close) taken by a process that then crashed
# is taken over after this: long enough for the slowest post to go out.
LEASE = dt.timedelta(minutes=5)

# A scheduled prompt missed while Rounds was down is still posted up to this late; later
# ones are recorded as skipped.
GRACE = dt.timedelta(hours=6)

# How often the scheduler looks for due work besides its timed jobs.
SCHEDULER_PASS = dt.timedelta(seconds=60)

# How long each call to Slack or the Bot Connector may take.
OUTBOUND_TIMEOUT = dt.timedelta(seconds=30)
