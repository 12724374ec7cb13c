"""Every sentence the core says to people, in one place for review."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandHelp:
    name: str
    usage: str
    example: str
    summary: str
    aliases: tuple[str, ...] = ()


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("help", "help [command]", "help lookup", "What Rounds can do, with examples."),
    CommandHelp(
        "quote",
        "quote [topic, author or words]",
        "quote winter",
        "A quote from the articles, word for word, with who said it.",
    ),
    CommandHelp(
        "lookup",
        'lookup <words> ["exact phrase"] [author:name] [topic:slug]',
        "lookup triumvirate",
        "The best passages from the articles for your words. Typos are fine.",
        aliases=("search", "find"),
    ),
    CommandHelp(
        "topics",
        "topics",
        "topics",
        "The topics, with how many articles and prompts each has.",
    ),
    CommandHelp(
        "articles",
        "articles [topic]",
        "articles manager-medic",
        "The articles in the library.",
    ),
    CommandHelp(
        "schedule",
        "schedule [weekly <day> <HH:MM> [timezone] [topics…] | pause | resume | skip | stop "
        "| holidays on|off]",
        "schedule weekly monday 09:00",
        "The channel's weekly discussion prompt: see it, set it, pause or skip it.",
    ),
    CommandHelp(
        "read",
        "read <article>",
        "read dark-side-managers",
        "One article: its summary, source and key quotes.",
    ),
    CommandHelp(
        "prompt",
        "prompt [topic]",
        "prompt wellbeing",
        "Posts a discussion prompt in this channel now.",
    ),
    CommandHelp(
        "privacy",
        "privacy",
        "privacy",
        "What Rounds stores, for how long, and who can see it.",
    ),
)

HELP_TITLE = "Rounds — conversations about NHS leadership"
HELP_INTRO = (
    "Quotes, discussion prompts and keyword lookup over a library of articles on NHS "
    "leadership. Type a command, or `help <command>` for more about one."
)
HELP_UNKNOWN = "There is no command called “{name}”."

UNKNOWN_COMMAND = "I don't know the command “{name}”."
DID_YOU_MEAN = "Did you mean {options}?"
TRY_HELP = "Type `help` to see everything Rounds can do."
BUTTON_EXPIRED = "That button no longer does anything. Type `help` to see what Rounds can do."
WELCOME = (
    "Thank you for adding Rounds. It shares quotes and discussion prompts from articles on NHS "
    "leadership and looks things up in them. Mention it with a command: `@Rounds help` lists "
    "them, `@Rounds prompt` posts a question for the team."
)
EMPTY_COMMAND = "Rounds is here. Type `help` to see what it can do, or try `quote`."

ERROR_TITLE = "Sorry, something went wrong on our side."
ERROR_BODY = (
    "Nothing you sent was lost. Please try again in a moment; if it keeps happening, "
    "let the people who run Rounds know (reference {ref})."
)

QUOTE_NOTHING = "I couldn't find a quote about “{words}”."
QUOTE_TRY_TOPICS = "Try one of the topics: {topics}."
QUOTE_GONE = "That quote is no longer in the library. Try `quote` for another."
SHARED_BY = "Shared by {name}"
DISCUSS_STARTED = "{name} started a discussion of this quote"
DISCUSS_INVITE = "{name} would like to discuss this. Reply in this thread with your thoughts."

LOOKUP_USAGE = (
    'Tell me what to look for, for example `lookup triumvirate` or `lookup "patient flow"`.'
)
LOOKUP_CORRECTED = "Showing results for “{used}” (you typed “{typed}”)."
LOOKUP_BROADENED = "No passage has all of your words; showing passages with some of them."
LOOKUP_COUNT = "{first}–{last} of {total} passages"
LOOKUP_NONE = "Nothing in the articles matches “{query}”."
LOOKUP_NONE_HINT = "Try fewer or different words, or browse a topic: {topics}."
LOOKUP_END = "That was the last page of results."
LOOKUP_UNKNOWN_TOPIC = "There is no topic “{topic}”. Topics: {topics}."
LOOKUP_PROBLEM = "I couldn't search for that: {problem}."

TOPICS_TITLE = "Topics"
TOPICS_META = "{articles} · {prompts}"
TOPICS_HINT = "Try `quote <topic>`, `prompt <topic>` or `articles <topic>`."

ARTICLES_TITLE = "Articles"
ARTICLES_TITLE_TOPIC = "Articles on {topic}"
ARTICLES_HINT = "Type `read <article>` to open one, for example `read {example}`."
ARTICLES_NONE = "No articles are filed under “{topic}”."

READ_USAGE = "Which article? Type `articles` to see them, then `read <article>`."
READ_NOT_FOUND = "I couldn't find an article called “{name}”."
READ_KEY_QUOTES = "Key quotes"
READ_SOURCE = "Source: {source}"
READ_TOPICS = "Topics: {topics}"

PROMPT_TITLE = "Discussion prompt · {topic}"
PROMPT_INVITE = "Reply in the thread: share your experience or a question of your own."
PROMPT_UNKNOWN_TOPIC = "I don't know the topic “{topic}”."
PROMPT_NONE = "There are no prompts yet."

PRIVACY_TITLE = "What Rounds stores"
PRIVACY_POINTS: tuple[str, ...] = (
    "Rounds runs on your organisation's own servers; nothing is sent anywhere else.",
    "It does not store ordinary channel messages, or the commands you type.",
    "For each channel it remembers which quotes and prompts it has already shown, so they "
    "don't repeat. That history names the channel, never a person.",
    "Lookups are answered from the article library and are not recorded.",
    "A channel's weekly prompt schedule, and a record of each scheduled post (when, which "
    "prompt, its message id). These are about the channel, never a person.",
    "In Teams, how to reach each team or chat Rounds was added to, so it can post there; "
    "forgotten when Rounds is removed.",
    "So that each message from Slack is answered once, it keeps the message's event id (never "
    "its text or sender) for two hours.",
    "Please never post patient details in Rounds.",
)

SCHEDULE_NONE = (
    "This channel has no weekly prompt. An admin can set one, for example "
    "`schedule weekly monday 09:00`."
)
SCHEDULE_TITLE = "Weekly prompt"
SCHEDULE_RULE = "{days} at {time} ({timezone}) · topics: {topics}"
SCHEDULE_ALL_TOPICS = "all"
SCHEDULE_NEXT = "Next: {when}"
SCHEDULE_PAUSED = "Paused. `schedule resume` starts it again."
SCHEDULE_SKIPPING = "The prompt on {when} will be skipped."
SCHEDULE_HOLIDAYS = "Bank holidays ({nation}) are skipped."
SCHEDULE_PREVIEW = "The next prompt will be:"
SCHEDULE_SET = "Weekly prompt set: {rule}."
SCHEDULE_SET_NEXT = "The first one is on {when}."
SCHEDULE_PAUSED_DONE = "Weekly prompts are paused in this channel."
SCHEDULE_RESUMED = "Weekly prompts are back on. Next: {when}."
SCHEDULE_SKIP_DONE = "The next weekly prompt, on {when}, will be skipped."
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
SCHEDULE_BAD_TOPIC = "There is no topic “{typed}”. Topics: {topics}."
SCHEDULE_BAD_NATION = (
    "Bank holidays can follow england-and-wales, scotland or northern-ireland, not “{typed}”."
)
SCHEDULE_UNKNOWN = "`schedule` can be: weekly, show, pause, resume, skip, stop, holidays on|off."
SCHEDULE_NOTHING_TO_SKIP = "There is no upcoming prompt to skip."
DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
NATION_NAMES = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}

BUTTON_ANOTHER = "Another"
BUTTON_SHARE = "Share in channel"
BUTTON_DISCUSS = "Discuss"
BUTTON_MORE = "More results"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def or_list(options: list[str]) -> str:
    quoted = [f"`{o}`" for o in options]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
