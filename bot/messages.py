"""Every sentence the core says to people, in one place for review. Each command's own help
(usage, example, summary) and menu text is in `bot/commands.py`, with its declaration."""

from __future__ import annotations

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
    "forgotten when Rounds is removed. For your own 1:1 chat with Rounds this names you, and "
    "`forget-me` forgets it.",
    "So that each message from Slack is answered once, it keeps the message's event id (never "
    "its text or sender) for two hours.",
    "Reflection threads: the topic, the question reached, who facilitates, and each reply in "
    "the thread with its author's id and name. Anonymous contributions are stored with no name, "
    "no id and nothing else that links them to you, not even in logs; in a thread opened as "
    "anonymous, no reply keeps its author, and the Slack or Teams id of each reply is kept only "
    "as a one-way digest, which still recognises the reply when you delete it but does not "
    "lead back to the message or to you.",
    "Everyone in the channel sees the thread. The facilitator also gets a transcript with the "
    "names of named contributions, privately (a Slack direct message, a Teams 1:1 chat); Rounds "
    "records where it sent it, and to whom, so that it can delete it later. In the transcript, "
    "what people typed is shown as typed: no link or formatting of theirs works there. The "
    "summary shows counts only when at least three people can be told apart by name; "
    "anonymous contributions are counted apart, never as people. Its themes and actions are "
    "made from the replies with every suspected name, number, date and postcode left out.",
    "When a thread closes, everyone in it may answer an anonymous evaluation (a score from 1 "
    "to 5 and, if they like, what they would change). Rounds keeps one answer per person by "
    "storing only a one-way digest made with a random key of that thread's, which recognises "
    "a second answer but does not lead back to you; no id or name is kept or logged. The "
    "results are shown only from three answers on, to the facilitator alone, and are deleted "
    "with the thread.",
    "When a thread closes, the answers to its last question are kept as its actions, each "
    "with its author's id as owner (none for anonymous ones), so that the owner, the "
    "facilitator or an admin can mark it done. Some days later Rounds asks in the thread what "
    "happened, and keeps the replies there as updates, as it keeps replies. `forget-me` "
    "removes you as an action's owner and deletes your updates.",
    "Replies are deleted {days} after their thread closes, with the thread itself and the "
    "transcripts Rounds sent: they are deleted from the direct messages they were sent to, and "
    "the record of where they went with them. A close that keeps failing is finished without "
    "its summary after a day. Deleting your reply in Slack or Teams deletes Rounds' copy at once.",
    "`forget-me` lists what Rounds stores about you; `forget-me confirm` (or its Erase button) "
    "then erases your named contributions, removes your name as facilitator and from the "
    "schedules you set (they keep running), deletes the transcripts Rounds sent you, forgets "
    "how to reach your Teams 1:1 chat, and tells you what it removed. It works where you type "
    "it: your Slack workspace or your Teams organisation, each on its own. A thread whose "
    "facilitator is forgotten is then run by Rounds admins only, and its transcript is sent to "
    "no one. Anonymous contributions, and replies in threads opened as anonymous, cannot be "
    "found or erased, because nothing links them to you; delete such a reply in Slack or "
    "Teams and Rounds' copy goes with it.",
    "Please never post patient details. Rounds checks for NHS numbers, dates of birth, "
    "postcodes and names: an anonymous contribution that has one is not posted; a named reply "
    "is stored with the number, date or postcode removed, and a name is kept in the stored "
    "reply (which only the facilitator's transcript shows), never in the summary. You are "
    "told privately each time.",
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


REFLECT_USAGE = (
    "Try `reflect start manager-medic`, `reflect start manager-medic gibbs closes 3d "
    "anonymous`, `reflect next`, `reflect close`, `reflect list`, `reflect actions` or "
    "`reflect export`; on a cadence, `reflect every 2w thu 13:00 manager-medic` and "
    "`reflect series`."
)
# reflection series: reflective practice on a cadence (bot/handlers/series.py)
SERIES_NEEDS = (
    "A series needs how often, a day, a time and a topic: `reflect every <n>w <day> <HH:MM> "
    "<topic> [model] [closes <duration>] [times HH:MM,HH:MM…] [anonymous] [holidays <nation>]`, "
    "for example `reflect every 2w thu 13:00 manager-medic`."
)
SERIES_BAD_EVERY = "“{typed}” is not how often: write weeks, from `1w` to `{most}w`."
SERIES_BAD_TIMES = "“{typed}” is not a list of times: write `times 08:00,20:00` (24-hour HH:MM)."
SERIES_TOO_LONG = (
    "Each reflection would still be open when the next one opens: give `closes` at most {most}."
)
SERIES_NOT_ALLOWED = (
    "Only the people listed as Rounds admins can set up a reflection series. `reflect series` "
    "lists this channel's series."
)
SERIES_SET_TITLE = "Reflection series #{id}"
SERIES_RULE = "Every {every} on {day} at {times} ({timezone}) · {topic} · {model}"
SERIES_RULE_ANONYMOUS = "{rule} · anonymous"
SERIES_SET_NEXT = "The first reflection opens {when}."
SERIES_SET = (
    "Rounds opens each reflection in this channel with {person} as facilitator, open for {closes}."
)
SERIES_TIMES = "The times take turns, one an opening, so that different shifts can take part."
SERIES_HOLIDAYS = "Bank holidays in {nation} are skipped."
SERIES_CONTROLS = (
    "Each time, the facilitator's controls come to them privately; `reflect next #id` and "
    "`reflect close #id` work too. `reflect series stop {id}` ends the series."
)
SERIES_LIST_TITLE = "Reflection series in this channel"
SERIES_LIST_NONE = (
    "This channel has no reflection series. `reflect every 2w thu 13:00 manager-medic` sets one up."
)
SERIES_LIST_ITEM = "#{id} · next: {when}"
SERIES_LIST_NO_NEXT = "No opening due"
SERIES_STOP_USAGE = "Which series? `reflect series stop <id>`; `reflect series` lists them."
SERIES_NOT_FOUND = "This channel has no running series #{id}. `reflect series` lists them."
SERIES_STOP_NOT_ALLOWED = "Only whoever set up series #{id}, or an admin, can stop it."
SERIES_STOPPED = (
    "Series #{id} is stopped: no more reflections on {topic} will open. Those open now carry on."
)
REFLECT_UNKNOWN = "I don't know that reflect command."
REFLECT_NO_TOPIC = "Which topic? Choose one of {topics}."
REFLECT_BAD_TOPIC = "There is no topic called “{typed}”. Choose one of {topics}."
REFLECT_BAD_MODEL = "There is no reflective model called “{typed}”. Choose one of {models}."
REFLECT_BAD_DURATION = (
    "I can't read “{typed}” as a time to close. Use minutes, hours, days or weeks, such as "
    "`closes 90m`, `closes 2h`, `closes 3d` or `closes 1w` (between {least} and {most})."
)
REFLECT_TITLE = "Reflection: {topic}"
REFLECT_META = "{model} · closes {when}"
REFLECT_GROUND_RULES = (
    "Ground rules: no patient details (no names, NHS numbers or dates of birth). {stored} "
    "Replies, and the facilitator's transcript, are deleted {days} after the thread "
    "closes. Anonymous contributions carry "
    "no name, anywhere, and the facilitator cannot see who wrote them."
)
REFLECT_STORED_NAMED = "Rounds keeps the replies in this thread with your name for the summary."
REFLECT_STORED_ANONYMOUS = (
    "This thread is anonymous: Rounds keeps the replies without anyone's name."
)
REFLECT_HOW = "Reply in this thread to take part, or contribute anonymously."
REFLECT_TIMED = "A new question comes every {minutes}."  # plural(n, "minute")
REFLECT_QUESTION = "{label} ({position}) {question}"
REFLECT_POSITION = "Q{number} of {total}"
REFLECT_POSITION_OF = "of {total}"  # after a label that is the number already: "Q1 (of 5)"
REFLECT_CONTROLS_TITLE = "You are facilitating reflection #{id}"
REFLECT_STARTED = (
    "Reflection #{id} on {topic} is open and closes {when}. Only you (and Rounds admins) "
    "see these buttons. When you close it, the summary goes in the thread and the transcript "
    "comes to you privately."
)
REFLECT_CONTROLS_TYPED = "You can also type `reflect next #{id}` or `reflect close #{id}`."
REFLECT_POST_FAILED = "I couldn't post the reflection here: {reason}. Nothing was saved."
REFLECT_NONE_OPEN = "There is no open reflection in this channel. Start one with `reflect start`."
REFLECT_EMPTY_REPLY = "That reply was empty, so nothing was added to the thread."
REFLECT_REPLY_ADDED = "Your reply is in the thread of reflection #{id}, {topic}."
REFLECT_NOT_FOUND = "There is no reflection #{id} in this channel."
REFLECT_NOT_ALLOWED = (
    "Only this reflection's facilitator or an admin can do that. You can still reply in the "
    "thread or contribute anonymously."
)
REFLECT_NOT_ALLOWED_ORPHAN = (
    "Reflection #{id} no longer has a facilitator (they asked Rounds to forget them), so only a "
    "Rounds admin can do that. An open thread still closes by itself at its deadline. You can "
    "still reply in the thread or contribute anonymously."
)
REFLECT_CLOSED_ALREADY = "Reflection #{id} has already closed."
REFLECT_LAST_QUESTION = (
    "That was the last question of {model}"  # sentence(): a title may end in "?"
)
REFLECT_CLOSE_HOW = "Close it when you are ready: the summary goes in the thread."
REFLECT_NEXT_DONE = "Posted {position} in reflection #{id}."
REFLECT_NEXT_FAILED = "I couldn't post the next question: {reason}. Please try again."
REFLECT_CLOSE_DONE = "Reflection #{id} is closed and its summary is in the thread."
REFLECT_CLOSE_BUSY = "Reflection #{id} is closing already."
REFLECT_TRANSCRIPT_SENT = "The transcript of reflection #{id} has been sent to you privately."
REFLECT_TRANSCRIPT_FAILED = "I couldn't send you the transcript: {reason}. Try `reflect export`."
REFLECT_LIST_TITLE = "Open reflections in this channel"
REFLECT_LIST_ITEM = "#{id} {topic}"
REFLECT_LIST_META = "{model} · {position} · closes {when}"
REFLECT_LIST_NONE = "No reflection is open in this channel. Start one with `reflect start`."
REFLECT_QUESTION_TITLE = "Next question"
REFLECT_REMINDER_TITLE = "Reminder"
REFLECT_REMINDER = (
    "Reminder: this reflection closes {when}. There is still time to reply here or to "
    "contribute anonymously."
)
REFLECT_REPLY_CLOSED = (
    "Reflection #{id} has closed, so your reply was not recorded. It is still in the channel."
)
# actions that come back (issue 18): the answers to a thread's last question, and their
# follow-up
ACTIONS_TITLE = "Actions from reflection #{id}: {topic}"
ACTIONS_NOT_YET = (
    "Reflection #{id} is still open. Its actions are recorded when it closes: the answers to "
    "its last question."
)
ACTIONS_NONE = "Reflection #{id} has no actions: no one answered its last question."
ACTION_ITEM = "{number}. {text}"
ACTION_META = "{status} · {owner}"
ACTION_STATUS_OPEN = "Open"
ACTION_STATUS_DONE = "Done {when}"
ACTION_OWNER_YOURS = "yours"
ACTION_OWNER_NAMED = "someone named"
ACTION_OWNER_ANONYMOUS = "anonymous"
ACTIONS_HOW = (
    "An action's owner, the facilitator or an admin can mark it done: `action done <number> #{id}`."
)
ACTION_BUTTON_DONE = "Done"
ACTION_USAGE = (
    "Try `action done 2` in the reflection's thread, or `action done 2 #5` anywhere in its channel."
)
ACTION_MARKED = "Action {number} of reflection #{id} is marked done."
ACTION_DONE_ALREADY = "Action {number} of reflection #{id} was already marked done."
ACTION_NOT_FOUND = "There is no action {number} in reflection #{id} that you can mark done."
FOLLOW_UP_TITLE = "Follow-up: {topic}"
FOLLOW_UP_INTRO = (
    "This reflection closed {days} ago with these actions still open. What happened? Reply "
    "in this thread."
)
FOLLOW_UP_NOTE = (
    "Rounds stores replies here as updates on these actions (no patient details, please), "
    "and deletes them with the thread's other replies. Done one? `action done <number>` marks "
    "it (its owner, the facilitator or an admin)."
)
FOLLOW_UP_UPDATE_STORED = "Your update on the actions of reflection #{id} is stored."
TRANSCRIPT_ACTIONS = "Actions"
TRANSCRIPT_UPDATES = "Follow-up updates"
TRANSCRIPT_DONE = "done"
TRANSCRIPT_OPEN = "open"
REFLECT_REPLY_TOO_LONG = (
    "Your reply in reflection #{id} is {length:,} characters long; Rounds records replies of up "
    "to {limit:,}, so it was not recorded. It is still in the channel: please post it again in "
    "shorter parts."
)
REFLECT_IDENTIFIER_NAMED = (
    "Your reply in reflection #{id} looks like it contains {what}. Please edit or delete it."
)
REFLECT_IDENTIFIER_REMOVED = "Rounds stored it with {what} removed."
REFLECT_IDENTIFIER_NAME_KEPT = (
    "Rounds keeps the name in its stored copy for the transcript, but never puts it in the "
    "summary or anything else it posts."
)
REFLECT_IDENTIFIER_ANONYMOUS = (
    "Your contribution was not posted: it looks like it contains {what}. Please take that out "
    "and send it again."
)
IDENTIFIER_NAMES = {
    "nhs-number": "an NHS number",
    "date-of-birth": "a date of birth",
    "postcode": "a postcode",
    "name": "a person's name",
}
REDACTED = "[removed]"
ANONYMOUS_FORM_TITLE = "Contribute anonymously"
ANONYMOUS_FORM_INTRO = (
    "Your words are posted in the thread as “Anonymous contribution”. Rounds stores no name, "
    "no id and nothing that links them to you. Please leave out patient details."
)
ANONYMOUS_FORM_LABEL = "Your contribution"
ANONYMOUS_FORM_SUBMIT = "Post anonymously"
ANONYMOUS_FORM_CONSOLE = (
    "Type your contribution on the next line; it is posted without your name. `cancel` or an "
    "empty line posts nothing."
)
ANONYMOUS_HEADING = "Anonymous contribution"
ANONYMOUS_DONE = "Your anonymous contribution is in the thread of reflection #{id}."
ANONYMOUS_EMPTY = "There was nothing to post. Type your contribution and send it again."
ANONYMOUS_TOO_LONG = (
    "That is {length:,} characters; an anonymous contribution can be up to {limit:,}. Please "
    "shorten it and send it again."
)
ANONYMOUS_FAILED = (
    "Your anonymous contribution could not be posted ({reason}), so nothing was kept. Here is "
    "your text to try again:"
)
RATE_LIMITED_TITLE = "Please wait a moment"
RATE_LIMITED = (  # [False]: several seconds, [True]: one
    "You've asked a lot in the last minute. Please wait {seconds} seconds, then try again: "
    "Rounds shares its time fairly between everyone.",
    "You've asked a lot in the last minute. Please wait a second, then try again: Rounds "
    "shares its time fairly between everyone.",
)
SUMMARY_TITLE = "Summary: {topic}"
SUMMARY_COUNTS = "{contributions} named contributions from {people} people."
SUMMARY_COUNTS_ANONYMOUS = (  # [False]: several, [True]: one
    "Also {count} anonymous contributions, which may come from the same people.",
    "Also 1 anonymous contribution, which may come from the same people.",
)
SUMMARY_COUNTS_HIDDEN = (
    "Counts are shown only when at least three people can be told apart by name "
    "(anonymous contributions cannot be)."
)
SUMMARY_NOTHING = "No one replied in this thread."
SUMMARY_THEMES = "Themes: {themes}"
SUMMARY_THEMES_READ = (
    "The thread is long: the themes come from {read} of its {of} replies, taken evenly across it."
)
SUMMARY_PASSAGES = "Related reading from the articles:"
SUMMARY_ACTIONS = "Actions named in answer to “{question}”:"
SUMMARY_NO_ACTIONS = "No actions were named in answer to the last question."
SUMMARY_MORE_ACTIONS = "…and {count} more answers to that question, in the thread."
SUMMARY_FOOTER = (
    "The transcript goes privately to the facilitator (`reflect export` sends it again). The "
    "replies, and the transcripts sent, are deleted {days} from now."
)
SUMMARY_FOOTER_NO_FACILITATOR = (
    "The transcript was not sent to anyone: this thread's facilitator asked Rounds to forget "
    "them. The replies are deleted {days} from now."
)
TRANSCRIPT_ANONYMOUS = "Anonymous"
TRANSCRIPT_CHART = "Named contributions per question, reflection #{id}"
# the evaluation offered when a reflection closes (bot/reflect/evaluation.py)
EVALUATION_HEADING = "Evaluation: {topic}"
EVALUATION_QUESTION = "How useful was this reflection?"
EVALUATION_SCALE = "1 not useful … 5 very useful"
EVALUATION_NOTE = (
    "Anyone in the thread may answer, once (answering again replaces your answer). Answers are "
    "anonymous: Rounds keeps no name or id with them. The facilitator alone sees the results, "
    "and only from three answers on."
)
EVALUATION_SUMMARY = "How useful was reflection #{id}? Answer 1 to 5, anonymously."
EVALUATION_FORM_TITLE = "Your evaluation"
EVALUATION_THANKS = (
    "Thanks — your answer is anonymous. Your score for reflection #{id}: {score} out of 5 "
    "(press another number to change it)."
)
EVALUATION_FORM_INTRO = (
    "Optional: what would you change? Your words go to the facilitator with the results, "
    "without your name, and only once three people have answered. Please leave out patient "
    "details."
)
EVALUATION_FORM_AGAIN = "Your score is kept; your comment is not, yet."
EVALUATION_FORM_LABEL = "What would you change?"
EVALUATION_FORM_SUBMIT = "Send"
EVALUATION_FORM_CONSOLE = (
    "Type what you would change on the next line; it is kept without your name. `cancel` or an "
    "empty line keeps nothing."
)
EVALUATION_COMMENT_DONE = "Thanks — your comment on reflection #{id} is kept, anonymously."
EVALUATION_COMMENT_EMPTY = "There was nothing to keep. Type what you would change, or close this."
EVALUATION_COMMENT_TOO_LONG = (
    "That is {length:,} characters; a comment can be up to {limit:,}. Please shorten it."
)
EVALUATION_COMMENT_IDENTIFIER = (
    "This looks like it contains {what}. Nothing was kept: please take it out and send it again."
)
EVALUATION_NOT_OPEN = "The evaluation of reflection #{id} is not open."
EVALUATION_TRANSCRIPT_TITLE = "Evaluation"
EVALUATION_TRANSCRIPT_HIDDEN = "Fewer than three answers: not shown."
EVALUATION_TRANSCRIPT_ANSWERS = "Answers: {count}"
EVALUATION_TRANSCRIPT_MEAN = "Mean: {mean} out of 5 (1 not useful … 5 very useful)"
EVALUATION_TRANSCRIPT_COUNTS = "Scores: {counts}"
EVALUATION_TRANSCRIPT_COMMENTS = "What would you change?"
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


# home (bot/handlers/home.py): what a person runs, at a glance
HOME_TITLE = "Your Rounds"
HOME_INTRO = "The reflections you facilitate, the weekly prompts you set, and how they went."
HOME_OPEN = "Open reflections"
HOME_CLOSED = "Closed reflections"
HOME_OPEN_ITEM = "#{id} {topic}"
HOME_OPEN_META = "Q{step} of {steps} · closes {when}"
HOME_CLOSED_META = "Closed {date}"
HOME_CONTRIBUTIONS = "{contributions} contributions from {people} people."
HOME_FEWER = "Fewer than three people have taken part, so no counts are shown."
HOME_THEMES = "Themes: {themes}."
HOME_ACTIONS = "Actions: {done} done, {open} open."
HOME_ACTION_LINE = "{mark} {number}. {text}"
HOME_ACTION_DONE = "✓"
HOME_ACTION_OPEN = "○"
HOME_EVALUATION = "Evaluation: {answers} answers, mean {mean} out of 5."
HOME_SCHEDULES = "Weekly prompts you set"
HOME_SCHEDULE_META = "Next post {when}"
HOME_SCHEDULE_PAUSED = "Paused"
HOME_SERIES = "Your series"
HOME_SERIES_NEXT = "Next opens {when}"
HOME_SERIES_STOPPED = "Stopped"
HOME_ACTIONS_MORE = "More actions, not listed: {count}."
HOME_NOTHING = (
    "Nothing yet. Start a reflection in a channel with `reflect start <topic>`, or set a "
    "weekly prompt with `schedule weekly <day> <HH:MM>`."
)
HOME_MORE = "Showing your {shown} most recent reflections of {total}."
HOME_CHART_PARTICIPATION = "Named contributions per question"
HOME_CHART_ACTIONS = "Actions done and open"
HOME_CHART_DONE = "Done"
HOME_CHART_OPEN = "Open"
HOME_CHART_NOTE = "Only reflections where three or more people took part are charted."


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
