"""Every user-facing sentence of the lookup engine, in one place.

These fill the `{problem}` slot of `bot.messages.LOOKUP_PROBLEM`
("I couldn't search for that: {problem}.")."""

from __future__ import annotations

EMPTY_QUERY = "there are no words in it to look for"
UNKNOWN_TOPIC = "there is no topic “{topic}”"
UNKNOWN_PERSON = "no author or speaker in the articles is called “{name}”"
