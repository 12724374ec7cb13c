"""Every sentence the core says to people, in one place for review: this module, and
reflective practice (threads, series, actions, evaluation, home) in `practice.py`, whose
names are re-exported here. Each command's own help (usage, example, summary) and menu text
is in `bot/commands.py`, with its declaration; the privacy notice and the terms of use are in
`bot/notices.py`."""

from __future__ import annotations

from bot.messages.practice import *  # noqa: F403 (one namespace: `m.REFLECT_…` as before)

HELP_TITLE = "Rounds — conversations about NHS leadership"
HELP_INTRO = (
    "Quotes, discussion prompts and keyword lookup over a library of articles on NHS "
    "leadership. Type a command, or `help <command>` for more about one."
)
HELP_UNKNOWN = "There is no command called “{name}”."

ROUNDS = "Rounds"  # heads an answer that belongs to no one command
UNKNOWN_TITLE = "Not a Rounds command"
UNKNOWN_COMMAND = "I don't know the command “{name}”."
DID_YOU_MEAN = "Did you mean {options}?"
TRY_HELP = "Type `help` to see everything Rounds can do."
BUTTON_EXPIRED = "That button no longer does anything. Type `help` to see what Rounds can do."
HELP_EXAMPLE = "Example: `{example}`"
WELCOME = (
    "Thank you for adding Rounds. It shares quotes and discussion prompts from articles on NHS "
    "leadership and looks things up in them. Try `help` for everything it does, or `prompt` "
    "to post a question for the team."
)
EMPTY_COMMAND = "Rounds is here. Type `help` to see what it can do, or try `quote`."
COMMAND_TOO_LONG = (
    "That command is {length:,} characters long; Rounds reads commands of up to {limit:,}. "
    "Please send a shorter one: a lookup needs only a few words."
)

ERROR_TITLE = "Sorry, something went wrong on our side."
DATABASE_AWAY_TITLE = "Rounds can't reach its database"
DATABASE_AWAY = (
    "Rounds can't reach its database just now, so nothing was changed. Please try again "
    "in a minute or two."
)
ERROR_BODY = (
    "Nothing you sent was lost. Please try again in a moment; if it keeps happening, "
    "let the people who run Rounds know (reference {ref})."
)

QUOTE_TITLE = "A quote on {topic}"
QUOTE_TITLE_NO_TOPIC = "A quote from the library"
QUOTE_NOTHING = "I couldn't find a quote about “{words}”."
QUOTE_TRY_TOPICS = "Try one of the topics: {topics}."
QUOTE_GONE = "That quote is no longer in the library. Try `quote` for another."
SHARED_BY = "Shared by {name}"
SHARED_SEARCH = "Results for “{query}”"  # heads a shared page of lookup results
SHARED_SEARCH_UNNAMED = "Results of a search"  # the words held an identifier: not repeated
DISCUSS_STARTED = "Discussion started by {name}"
DISCUSS_INVITE = "Discussion opened by {name}. Reply in this thread with your thoughts."

# Who said a quote, and where: `Rachna Vyas, in “Title”, Distilled Post, 13 November 2023`
ATTRIBUTION = "{speaker}, in “{title}”, {credits}"
SPEAKER_ROLE = "{name} ({role})"  # tells apart two people of one name
REPORTED_BY = "{speaker}, reported by {reporters}"
AUTHOR_NOT_NAMED = "author not named"
PUBLISHER_NOT_NAMED = "publisher not named"

LOOKUP_TITLE = "Lookup: “{query}”"
LOOKUP_UNNAMED = "Lookup results"  # the words held a patient identifier: not repeated
LOOKUP_USAGE = (
    'Tell me what to look for, for example `lookup triumvirate` or `lookup "patient flow"`.'
)
LOOKUP_CORRECTED = "Showing results for “{used}” (you typed “{typed}”)."
LOOKUP_WIDENED = "Showing results for “{used}” and related words: {related}."
LOOKUP_CORRECTED_WIDENED = (
    "Showing results for “{used}” (you typed “{typed}”) and related words: {related}."
)
LOOKUP_BROADENED = "No passage has all of your words; showing passages with some of them."
LOOKUP_COUNT = "{first}–{last} of {total} passages"
LOOKUP_COUNT_ONE = "{number} of {total} passages"  # the last page holds one passage
LOOKUP_COUNT_ALL = "{passages}"  # every passage on one page: "1 passage", "3 passages"
LOOKUP_NONE = "Nothing in the articles matches “{query}”."
LOOKUP_NONE_HINT = "Try fewer or different words, or browse a topic: {topics}."
LOOKUP_END = "That was the last page of results."
LOOKUP_UNKNOWN_TOPIC = "There is no topic “{topic}”. Topics: {topics}."
LOOKUP_PROBLEM = "I couldn't search for that: {problem}."

TOPICS_TITLE = "Topics"
TOPICS_META = "{articles} · {prompts}"
TOPICS_HINT = (
    "Type a topic's slug, title or alias in other commands: `quote <topic>`, "
    "`prompt <topic>`, `articles <topic>`, `lookup topic:<slug>`."
)
TOPIC_ITEM = "{title} (`{slug}`)"
TOPIC_CORRECTED = "Using the topic {title} (`{slug}`): you typed “{typed}”."

ARTICLES_TITLE = "Articles"
ARTICLES_TITLE_TOPIC = "Articles on {topic}"
ARTICLES_ITEM = "{number}. {title}"
ARTICLES_ITEM_META = "{meta} · `{id}`"
ARTICLES_HINT = (
    "Type `read` with an article's number, its id or words from its title to open it, for "
    "example `read {number}` or `read {example}`."
)
ARTICLES_NONE = "No articles are filed under “{topic}”."

READ_USAGE = (
    "Which article? Type `articles` to see them, then `read` with an article's number, its "
    "id or words from its title."
)
READ_NOT_FOUND = "I couldn't find an article called “{name}”."
READ_NO_NUMBER = "There is no article number {number}: `articles` lists {count}."
READ_SEVERAL = "Several articles match “{name}”"
READ_CHOOSE = "Type `read` with the number of the one you want, for example `read {number}`."
READ_KEY_QUOTES = "Key quotes"
# an article's kind, beside it in `articles`, and said when it is read (plain articles: nothing)
ARTICLE_KINDS = {"promotional": "promotional", "advert": "advert"}
READ_KIND = {
    "promotional": "Promotional copy: Rounds never offers its words unasked.",
    "advert": "An advert, kept for reference: Rounds never offers its words unasked.",
}
READ_EXPIRES = "Last day: {day}."
READ_TOPICS = "Topics: {topics}"

PROMPT_TITLE = "Discussion prompt · {topic}"
PROMPT_INVITE = "Reply in the thread: share your experience or a question of your own."
PROMPT_UNKNOWN_TOPIC = "I don't know the topic “{topic}”."
PROMPT_NONE = "There are no prompts yet."

SCHEDULE_NONE = (
    "This channel has no weekly prompt. An admin can set one, for example "
    "`schedule weekly monday 09:00`."
)
SCHEDULE_TITLE = "Weekly prompt"
SCHEDULE_RULE = "{days} at {time} ({timezone}) · topics: {topics}"
SCHEDULE_ALL_TOPICS = "all"
SCHEDULE_NEXT = "Next: {when}"
SCHEDULE_PAUSED = "Paused. `schedule resume` starts it again."
SCHEDULE_PAUSED_NOW = "Paused: no prompt is posted until it is resumed."
SCHEDULE_BUTTON_GONE = "That schedule no longer exists. `schedule` shows this channel's."
SCHEDULE_SKIPPING = "Skipped: {dates}. `schedule unskip <date>` posts one after all."
SCHEDULE_HOLIDAYS = "Bank holidays ({nation}) are skipped."
SCHEDULE_HOLIDAYS_SHOWN = (
    "Bank holidays in {nation} are skipped. `schedule holidays off` posts on them too."
)
SCHEDULE_HOLIDAYS_NOT_SHOWN = (
    "Weekly prompts are posted on bank holidays too. `schedule holidays on <nation>` skips "
    "them (england-and-wales, scotland or northern-ireland)."
)
SCHEDULE_PREVIEW = "The next prompt will be:"
SCHEDULE_SET_TITLE = "Weekly prompt set"
SCHEDULE_SET = "Weekly prompt set: {rule}."
SCHEDULE_SET_NEXT = "The first one is on {when}."
SCHEDULE_REPLACED = "It replaces the previous weekly prompt: {rule}."
SCHEDULE_UK_TIME = "“{typed}” is taken as UK time, Europe/London: GMT in winter, BST in summer."
SCHEDULE_PAUSED_DONE = "Weekly prompts are paused in this channel."
SCHEDULE_ALREADY_PAUSED = (
    "Weekly prompts are already paused here. `schedule resume` starts them again."
)
SCHEDULE_RESUMED = "Weekly prompts are back on. Next: {when}."
SCHEDULE_ALREADY_RUNNING = "Weekly prompts are already running here. Next: {when}."
SCHEDULE_SKIP_DONE = "The next weekly prompt, on {when}, will be skipped."
SCHEDULE_SKIP_DATE_DONE = "The weekly prompt on {when} will be skipped."
SCHEDULE_SKIP_ALREADY = "The weekly prompt on {when} is already skipped."
SCHEDULE_UNSKIP_DONE = "The weekly prompt on {when} will be posted after all."
SCHEDULE_UNSKIP_NONE = "No weekly prompt is being skipped."
SCHEDULE_UNSKIP_NOT_SKIPPED = "The weekly prompt on {when} was not being skipped."
SCHEDULE_BAD_DATE = "“{typed}” is not a date: use 14 Dec, 14/12 (day first) or 2026-12-14."
SCHEDULE_NOT_A_PROMPT_DAY = "{date} is not a prompt day: this channel's prompt is on {days}."
SCHEDULE_DATE_PAST = "The weekly prompt on {when} is already past."
SCHEDULE_STOPPED = "The weekly prompt for this channel is deleted."
SCHEDULE_HOLIDAYS_ON = "Bank holidays in {nation} will be skipped."
SCHEDULE_HOLIDAYS_OFF = "Weekly prompts will be posted on bank holidays too."
SCHEDULE_NOT_ALLOWED = (
    "Only the people listed as Rounds admins can change this channel's schedule. "
    "`schedule` shows it."
)
SCHEDULE_USAGE = (
    "To set a weekly prompt: `schedule weekly <day> <HH:MM> [timezone] [topics…]`, "
    "for example `schedule weekly monday 09:00 Europe/London manager-medic`."
)
SCHEDULE_BAD_DAY = "“{typed}” is not a day of the week."
SCHEDULE_BAD_TIME = "“{typed}” is not a time: use 24-hour HH:MM, like 09:00 or 17:30."
SCHEDULE_BAD_TIMEZONE = "“{typed}” is not a timezone I know: use a name like Europe/London."
SCHEDULE_ZONE_ABBREVIATION = (
    "“{typed}” is an abbreviation, and those are ambiguous or change with the season: use the "
    "timezone's name, like {zone} (GMT, BST or UK mean Europe/London)."
)
SCHEDULE_WEEKLY_NEEDS = "`schedule weekly` needs a day and a time."
SCHEDULE_BAD_TOPIC = "There is no topic “{typed}”. Topics: {topics}."
SCHEDULE_BAD_NATION = (
    "Bank holidays can follow england-and-wales, scotland or northern-ireland, not “{typed}”."
)
SCHEDULE_HOLIDAYS_USAGE = (
    "`schedule holidays` shows the setting; `schedule holidays on [england-and-wales|scotland|"
    "northern-ireland]` skips bank holidays; `schedule holidays off` posts on them too."
)
SCHEDULE_UNKNOWN = (
    "`schedule` can be: weekly, show, pause, resume, skip [date], unskip [date], stop, "
    "holidays [on|off]."
)
SCHEDULE_NOTHING_TO_SKIP = "There is no upcoming prompt to skip."
DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
NATION_NAMES = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}

BUTTON_ANOTHER = "Another"
BUTTON_SHARE = "Share"
BUTTON_DISCUSS = "Discuss"
BUTTON_MORE = "More results"
BUTTON_ANONYMOUS = "Contribute anonymously"
BUTTON_NEXT = "Next question"
BUTTON_CLOSE = "Close and sum up"  # the summary is posted in the thread
BUTTON_ERASE = "Erase"
BUTTON_OPEN_ARTICLE = "Open article"
BUTTON_PAUSE = "Pause"
BUTTON_RESUME = "Resume"
BUTTON_SKIP_NEXT = "Skip next"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def or_list(options: list[str]) -> str:
    quoted = [f"`{o}`" for o in options]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def sentence(text: str) -> str:
    """`text` as a sentence: a full stop added unless it ends with its own ("Now what?")."""
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."


def passage_count(first: int, last: int, total: int) -> str:
    """Which passages a page shows: "1–3 of 14 passages", "14 of 14 passages", "1 passage"."""
    if first == 1 and last == total:
        return LOOKUP_COUNT_ALL.format(passages=plural(total, "passage"))
    if first == last:
        return LOOKUP_COUNT_ONE.format(number=first, total=total)
    return LOOKUP_COUNT.format(first=first, last=last, total=total)


FORGET_TITLE = "What Rounds erased"
FORGET_CONTRIBUTIONS = "Your named contributions to reflection threads: {count}."
FORGET_FACILITATED = "Your name as facilitator, on reflection threads: {count}."
FORGET_SCHEDULES = (
    "Your name on weekly prompt schedules you set: {count} (they keep running, without it)."
)
FORGET_TRANSCRIPTS = (
    "Reflection transcripts Rounds sent you privately: {count} messages or files, deleted from "
    "your direct messages."
)
FORGET_TRANSCRIPTS_LATER = (
    "Transcript messages or files that could not be deleted just now: {count}. They no longer "
    "name you, and are deleted with their thread."
)
FORGET_SERIES = (
    "Your reflection series: {count}. A series needs its facilitator, so they stop (reflections "
    "open now carry on)."
)
FORGET_REFERENCES = "How to reach your 1:1 chat with Rounds in Teams: {count}."
FORGET_ACTIONS = "Your name as owner of actions from reflection threads (kept unowned): {count}."
FORGET_PREVIEW_TITLE = "What Rounds would erase"
FORGET_CONFIRM_HOW = (
    "Nothing has been erased yet. To erase all of this, type `forget-me confirm` or press Erase."
)
FORGET_NOTHING = "Rounds had nothing stored about you."
FORGET_NOTE = (
    "This covers you here only: in this Slack workspace or Teams organisation, not on the other "
    "platform. Anonymous contributions, and your replies in threads opened as anonymous, are "
    "not affected: Rounds stores nothing that links them to you. Messages you wrote in the "
    "channel itself are kept by Slack or Teams, not Rounds."
)


# the console (`rounds console`)
CONSOLE_WELCOME = (
    "Rounds console. Type `help` to begin; `> text` replies in a reflection thread. Ctrl-D leaves."
)
CONSOLE_FORM_CANCELLED = "Cancelled: nothing was posted."
CONSOLE_NO_BUTTONS = "There is no button [{number}]: no buttons have been shown yet."
CONSOLE_NO_SUCH_BUTTON = "There is no button [{number}]. Numbers press the newest buttons shown:"
CONSOLE_CLOSED = "Rounds console closed."
CONSOLE_INTERRUPTED = "Rounds console stopped (Ctrl-C)."
CONSOLE_BUSY = (
    "another Rounds console is using the database {path}; leave that one, or give this one a "
    "database of its own, e.g. ROUNDS_DATABASE_URL=sqlite:///other.db rounds console"
)
