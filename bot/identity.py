"""Who someone is across platforms: a person is (platform, workspace or tenant, user id).
The same user id on another platform, or in another workspace, is another person. Stored
as one key, `platform:workspace:user`; platforms and workspaces never contain ':', user
ids may (Teams' `29:…`), so a key is split at its first two colons only."""

from __future__ import annotations

from dataclasses import dataclass

from bot.events import Conversation, Person


@dataclass(frozen=True)
class Identity:
    platform: str
    workspace: str  # Slack team id, Teams tenant id
    user: str

    @property
    def key(self) -> str:
        """What the store keeps (facilitator, author, schedule creator)."""
        return f"{self.platform}:{self.workspace}:{self.user}"

    @property
    def anywhere(self) -> str:
        """`platform:user`: the person in any workspace of the platform (as admins are
        usually listed)."""
        return f"{self.platform}:{self.user}"


def identity_of(conversation: Conversation, person: Person) -> Identity | None:
    """The sender of an event; None when no one is named (an anonymous form)."""
    if not person.id:
        return None
    return Identity(conversation.platform, conversation.workspace, person.id)


def key_of(conversation: Conversation, person: Person) -> str | None:
    """`identity_of(...).key`, made directly (it is asked for every command)."""
    if not person.id:
        return None
    return f"{conversation.platform}:{conversation.workspace}:{person.id}"


def parse(key: str) -> Identity | None:
    """A stored key read back; None for one that is not `platform:workspace:user`."""
    parts = key.split(":", 2)
    if len(parts) < 3 or not parts[0] or not parts[2]:
        return None
    return Identity(*parts)


def user_of(key: str) -> str:
    """The platform's own user id in a key (what the platform needs to reach them)."""
    found = parse(key)
    return found.user if found else key
