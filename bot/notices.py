"""The privacy notice and the terms of use: one source for the `privacy` command
(bot/handlers/info.py) and the /privacy and /terms pages that `rounds serve` renders
(rounds/pages.py). A notice is sections of plain paragraphs, with the settings filled in;
`backticks` mark what people type."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import plural


@dataclass(frozen=True)
class Organisation:
    """Who runs this Rounds, from the settings: its name (ROUNDS_ORGANISATION) and where
    to ask about data (ROUNDS_PRIVACY_CONTACT: an email address or a web address)."""

    name: str | None = None
    contact: str | None = None

    @property
    def called(self) -> str:
        """Its name inside a sentence."""
        return self.name or UNNAMED


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """A page's title and lead, and its sections; `contact` is a paragraph's words that a
    page shows as a link."""

    title: str
    lead: str
    sections: tuple[Section, ...]
    contact: str | None = None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for section in self.sections for p in section.paragraphs)


UNNAMED = "the organisation that runs this Rounds service"

PRIVACY_TITLE = "What Rounds stores"  # the `privacy` command's heading
PRIVACY_PAGE = "Rounds privacy notice"
PRIVACY_LEAD = "What Rounds stores, for how long, who can see it, and how to have it erased."
RUN_BY = "This Rounds service is run by {organisation}."

WHERE: tuple[str, ...] = (
    "Rounds runs on your organisation's own servers. What it posts goes to Slack or Microsoft "
    "Teams, where you use it, and nowhere else.",
)

CHANNELS: tuple[str, ...] = (
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
)

THREADS: tuple[str, ...] = (
    "Reflection threads: the topic, the question reached, who facilitates, and each reply in "
    "the thread with its author's id and name. Anonymous contributions are stored with no name, "
    "no id and nothing else that links them to you, not even in logs; in a thread opened as "
    "anonymous, no reply keeps its author, and the Slack or Teams id of each reply is kept only "
    "as a one-way digest, which still recognises the reply when you delete it but does not "
    "lead back to the message or to you.",
)

WHO_SEES: tuple[str, ...] = (
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
)

HOW_LONG: tuple[str, ...] = (
    "Replies are deleted {days} after their thread closes, with the thread itself and the "
    "transcripts Rounds sent: they are deleted from the direct messages they were sent to, and "
    "the record of where they went with them. A close that keeps failing is finished without "
    "its summary after a day. Deleting your reply in Slack or Teams deletes Rounds' copy at once.",
)

ERASURE: tuple[str, ...] = (
    "`forget-me` lists what Rounds stores about you; `forget-me confirm` (or its Erase button) "
    "then erases your named contributions, removes your name as facilitator and from the "
    "schedules you set (they keep running), deletes the transcripts Rounds sent you, forgets "
    "how to reach your Teams 1:1 chat, and tells you what it removed. It works where you type "
    "it: your Slack workspace or your Teams organisation, each on its own. A thread whose "
    "facilitator is forgotten is then run by Rounds admins only, and its transcript is sent to "
    "no one. Anonymous contributions, and replies in threads opened as anonymous, cannot be "
    "found or erased, because nothing links them to you; delete such a reply in Slack or "
    "Teams and Rounds' copy goes with it.",
)

PATIENTS: tuple[str, ...] = (
    "Please never post patient details. Rounds checks for NHS numbers, dates of birth, "
    "postcodes and names: an anonymous contribution that has one is not posted; a named reply "
    "is stored with the number, date or postcode removed, and a name is kept in the stored "
    "reply (which only the facilitator's transcript shows), never in the summary. You are "
    "told privately each time.",
)

ASK = (
    "For questions about your data, or to use your data protection rights, contact "
    "{organisation} at {contact}."
)
ASK_NO_CONTACT = (
    "For questions about your data, or to use your data protection rights, ask the data "
    "protection officer of {organisation}."
)

PRIVACY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Where it runs", WHERE),
    ("Messages, lookups and schedules", CHANNELS),
    ("Reflection threads and anonymity", THREADS),
    ("Who sees what", WHO_SEES),
    ("How long it is kept", HOW_LONG),
    ("Erasing what Rounds holds about you", ERASURE),
    ("Patient details", PATIENTS),
)
QUESTIONS = "Questions and your rights"

TERMS_PAGE = "Rounds terms of use"
TERMS_LEAD = "These terms, set by {organisation}, apply to everyone who uses Rounds here."
TERMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "What Rounds is for",
        (
            "Rounds is a chat bot in Slack and Microsoft Teams for conversations about NHS "
            "leadership: quotes and discussion prompts from a library of articles, lookups in "
            "that library, and reflection threads that close with a summary the group can act "
            "on. It is for learning and reflection at work.",
        ),
    ),
    (
        "Using it well",
        (
            "Never post patient-identifiable information: no patient's name, NHS number, date "
            "of birth, address or postcode, and nothing else that could identify a patient. "
            "Rounds checks for some of these, but it cannot catch everything: what you post is "
            "your responsibility.",
            "Reflect with respect. Speak about situations and ideas, not about colleagues who "
            "are not there to answer; keep to the ground rules at the start of each reflection "
            "thread; post nothing unlawful, offensive or confidential.",
            "Anonymous contributions are for saying honestly what would be hard to say with "
            "your name, never for attacking anyone. The policies of {organisation} on conduct "
            "and on information governance apply to everything posted in Rounds, as they do "
            "elsewhere at work.",
        ),
    ),
    (
        "Not clinical advice",
        (
            "Rounds and its library are about leadership, not clinical care. Nothing in them is "
            "clinical advice, and they must not be used to decide a patient's care.",
        ),
    ),
    (
        "Whose content it is",
        (
            "The articles, and the quotes Rounds shows from them, belong to their authors and "
            "publishers, and each quote comes with its attribution. These terms give you no "
            "right to copy or republish them; an article's link takes you to it at its source.",
            "What you post stays yours. By posting it you let Rounds store it and show it as "
            "the privacy notice describes, and delete it when the notice says.",
        ),
    ),
    (
        "Availability",
        (
            "Rounds is provided as it is, without a promise that it will always be available or "
            "free of mistakes. It may be changed, paused or withdrawn at any time, and so may "
            "these terms; the version on this page is the one that applies.",
        ),
    ),
)
CONTACT = "Contact"
TERMS_ASK = "For questions about Rounds or these terms, contact {organisation} at {contact}."
TERMS_ASK_NO_CONTACT = (
    "For questions about Rounds or these terms, ask the service desk of {organisation}."
)


def privacy(retention_days: int, organisation: Organisation) -> Notice:
    """What Rounds stores, for how long, who sees what, and how to have it erased: the
    `privacy` command's reply and the /privacy page."""
    run_by = (RUN_BY,) if organisation.name else ()
    sections = (
        (PRIVACY[0][0], run_by + PRIVACY[0][1]),
        *PRIVACY[1:],
        (QUESTIONS, (ASK if organisation.contact else ASK_NO_CONTACT,)),
    )
    fill = {"days": plural(retention_days, "day")}
    return _notice(PRIVACY_PAGE, PRIVACY_LEAD, sections, organisation, fill)


def terms(organisation: Organisation) -> Notice:
    """The terms of use, with the organisation's name: the /terms page."""
    ask = TERMS_ASK if organisation.contact else TERMS_ASK_NO_CONTACT
    sections = (*TERMS, (CONTACT, (ask,)))
    return _notice(TERMS_PAGE, TERMS_LEAD, sections, organisation, {})


def _notice(
    title: str,
    lead: str,
    sections: tuple[tuple[str, tuple[str, ...]], ...],
    organisation: Organisation,
    fill: dict[str, str],
) -> Notice:
    values = {"organisation": organisation.called, "contact": organisation.contact, **fill}
    return Notice(
        title=title,
        lead=lead.format(**values),
        sections=tuple(
            Section(heading, tuple(p.format(**values) for p in paragraphs))
            for heading, paragraphs in sections
        ),
        contact=organisation.contact,
    )
