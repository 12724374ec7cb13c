"""How much of any input Rounds reads, and how much memory its caches may hold: each
number defined once, here, so that every step's cost is bounded whatever a person sends.

A Slack message can carry 40,000 characters and a Teams one about 28 KB. Everything past
these limits is refused or ignored before any step whose cost grows faster than the text."""

from __future__ import annotations

# --- what people send ------------------------------------------------------------------------

# A command longer than this is answered with the limit and not parsed any further. The
# longest real command (a `schedule` with its topics, or a lookup with a phrase and filters)
# is a few hundred characters; 4,000 is Slack's own advice for the length of a message.
COMMAND_CHARS = 4_000

# A reply in a reflection's thread, or an anonymous contribution, longer than this is not
# recorded (its author is told, privately). It is the most a form's text box takes (Slack
# allows no more in one), so a reply typed in the thread and one sent through the form meet
# the same number: about 500 words.
CONTRIBUTION_CHARS = 3_000

# The most platform text (with its markup: `<at>` tags, HTML, `<@U…>` mentions, `&amp;`) an
# adapter cleans. Longer text is handed to the core as it came, where its length alone
# refuses it; no markup makes a command or contribution four times longer than its text.
RAW_CHARS = 4 * max(COMMAND_CHARS, CONTRIBUTION_CHARS)

# Words of a lookup query beyond this many are ignored: a lookup is a few keywords, and
# each word may cost a typo correction and a term in the full-text query.
QUERY_WORDS = 24

# Words longer than this are searched as typed, never typo-corrected (correction keeps a
# table of every word with one letter deleted: its size grows with the square of the
# length). The longest words of the articles, and of English in ordinary use, are under 30.
LONGEST_CORRECTED = 40

# --- memory: each cache is bounded by an estimate of the bytes it holds (bot/memo.py) ------

KIB = 1024
MIB = 1024 * KIB

COMMAND_CACHE_BYTES = 4 * MIB  # parsed commands (bot/core.py)
LOOKUP_CACHE_BYTES = 8 * MIB  # lookup answers (bot/lookup/index.py)
# Each memo of replies built or rendered once (handlers, adapters): room for the few hundred
# searches people repeat (a rendered lookup is estimated at about 18 KB), so a popular
# search is rendered once, not again each time it falls out.
REPLY_MEMO_BYTES = 8 * MIB
SMALL_CACHE_BYTES = 256 * KIB  # formatted dates (bot/format.py)
# A remembered lookup answer and its reply are small by construction (a page of passages,
# the passages themselves the index's): their size is estimated from the query's length and
# the page size, without walking them on every new search (tests/test_limits.py holds the
# estimates above the real sizes, maximal queries included).
LOOKUP_ANSWER_BYTES = 4 * KIB  # plus LOOKUP_HIT_BYTES a passage asked for, plus the query
LOOKUP_HIT_BYTES = 3 * KIB
LOOKUP_REPLY_BYTES = 4 * KIB  # plus LOOKUP_HIT_BYTES a passage shown, plus the query
