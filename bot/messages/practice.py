"""Every sentence of reflective practice, for review beside the rest of `bot.messages`:
reflection threads, series, actions and their follow-up, anonymous contributions, the
summary, the evaluation and the facilitator's home. `bot.messages` re-exports them all."""

from __future__ import annotations

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
