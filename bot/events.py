"""Neutral inbound events. Adapters build these from platform payloads; SDK objects never
travel in them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conversation:
    platform: str  # "slack", "teams", "console"
    channel: str
    workspace: str = ""  # Slack team id, Teams tenant id
    thread: str | None = None

    @property
    def key(self) -> str:
        """A stable key for per-channel state such as rotation history."""
        return f"{self.platform}:{self.workspace}:{self.channel}"


@dataclass(frozen=True)
class Person:
    id: str
    name: str = ""

    @property
    def display(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Command:
    """Someone typed a command: `/rounds quote winter` arrives as text "quote winter"."""

    conversation: Conversation
    person: Person
    text: str


@dataclass(frozen=True)
class Action:
    """Someone pressed a button on an earlier reply."""

    conversation: Conversation
    person: Person
    action: str
    value: str = ""
    text: str = ""  # what was typed into a form the action opened


@dataclass(frozen=True)
class Message:
    """Someone wrote in a thread (not a command): a possible reflection contribution.
    `conversation.thread` names the thread; the console leaves it unset and names the
    reflection by number instead, or leaves that unset too for the channel's newest open one."""

    conversation: Conversation
    person: Person
    text: str
    message_id: str = ""  # the platform's id of the message, when it has one
    reflection: int | None = None  # outside any thread (the console): the reflection meant


@dataclass(frozen=True)
class Deletion:
    """Someone deleted a message in a thread: a contribution stored from it goes too."""

    conversation: Conversation  # with the thread
    message_id: str


Event = Command | Action | Message | Deletion
