"""The outbound port: how the core (and the scheduler) says something without being asked.

Each platform adapter implements `Outbox`; `MemoryOutbox` is the in-memory fake for tests
and the console."""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from bot.events import Conversation, Person
from bot.replies import Reply


class DeliveryError(Exception):
    """A post failed. `permanent` means retrying will not help (bot removed, channel
    archived); otherwise it may succeed later. The message never holds a secret."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class File:
    """A document sent with a direct message (a reflection's Markdown transcript)."""

    name: str
    text: str


@dataclass(frozen=True)
class Delivered:
    """What `send_direct` left in someone's direct messages, for `withdraw_direct` to remove
    later: the DM or 1:1 chat, and the ids of the messages and files in it. Empty when
    nothing can be removed (printed in the console)."""

    conversation: str = ""
    message_ids: tuple[str, ...] = ()
    file_ids: tuple[str, ...] = ()


class Outbox(ABC):
    @abstractmethod
    async def post(self, conversation: Conversation, reply: Reply) -> str:
        """Post to the channel, or into `conversation.thread` when set. Returns the posted
        message's id (the thread id for replies under it)."""

    @abstractmethod
    async def post_private(self, conversation: Conversation, person: Person, reply: Reply) -> None:
        """Show a reply to one person only, in the conversation."""

    async def send_direct(
        self, conversation: Conversation, person: Person, reply: Reply, file: File | None = None
    ) -> Delivered:
        """Send to one person away from the channel: a Slack DM, a Teams 1:1 chat, printed in
        the console. `conversation` says where the person was (workspace, tenant). Returns
        what was left there. By default a private reply in the conversation (without the
        file), which leaves nothing to remove."""
        await self.post_private(conversation, person, reply)
        return Delivered()

    async def withdraw_direct(self, conversation: Conversation, delivered: Delivered) -> None:
        """Delete what `send_direct` delivered (`conversation` as it was given then). What is
        gone already counts as deleted; `DeliveryError.permanent` when it can never be.
        Nothing to do by default."""
        return None

    async def find_posted(self, conversation: Conversation, marker: str) -> str | None:
        """The id of a post already carrying `marker` (a scheduled slot's id), when the
        platform can tell; a retry after a crash then records it instead of posting again."""
        return None

    async def withdraw(self, conversation: Conversation, message_id: str) -> None:
        """Remove a post Rounds made (an opening whose thread could not be recorded).
        Nothing to do by default."""
        return None

    async def names(self, conversation: Conversation, people: Sequence[str]) -> dict[str, str]:
        """Display names of `people` (platform user ids, in `conversation`'s workspace), for
        a private transcript. Whoever the platform cannot name is left out, and the caller
        shows the id; this never raises. Nobody is named by default."""
        return {}

    async def close(self) -> None:
        """Release connections. Nothing to do by default."""
        return None


@dataclass(frozen=True)
class Sent:
    conversation: Conversation
    reply: Reply
    message_id: str
    person: Person | None = None  # set for private and direct replies
    direct: bool = False
    file: File | None = None


class MemoryOutbox(Outbox):
    """Records what would have been posted. Message ids count up from 1."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.withdrawn: list[str] = []  # message and file ids, channel and direct
        self.people: dict[str, str] = {}  # user id -> display name, for `names`
        self._ids = itertools.count(1)

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        message_id = str(next(self._ids))
        self.sent.append(Sent(conversation, reply, message_id))
        return message_id

    async def post_private(self, conversation: Conversation, person: Person, reply: Reply) -> None:
        self.sent.append(Sent(conversation, reply, str(next(self._ids)), person))

    async def withdraw(self, conversation: Conversation, message_id: str) -> None:
        self.withdrawn.append(message_id)

    async def names(self, conversation: Conversation, people: Sequence[str]) -> dict[str, str]:
        return {user: self.people[user] for user in people if user in self.people}

    async def send_direct(
        self, conversation: Conversation, person: Person, reply: Reply, file: File | None = None
    ) -> Delivered:
        message_id = str(next(self._ids))
        self.sent.append(Sent(conversation, reply, message_id, person, True, file))
        files = (f"file-{message_id}",) if file is not None else ()
        return Delivered(f"direct:{person.id}", (message_id,), files)

    async def withdraw_direct(self, conversation: Conversation, delivered: Delivered) -> None:
        self.withdrawn += [*delivered.message_ids, *delivered.file_ids]
