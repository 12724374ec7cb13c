"""A form sent into someone's 1:1 chat is bound to them and to the channel it belongs to.

When an anonymous contribution has to be edited (the guardrail found a patient
identifier), Teams has no private message inside a channel, so the form goes to the
person's 1:1 chat with Rounds. Submitted from there, it arrives from the 1:1 chat, not from
the reflection's channel. So the form carries the channel it is for and a seal: an HMAC
over the person's Teams id, the tenant, the channel, the action and the reflection id.
Only the person it was opened for, in that tenant, can send it back for that channel;
anyone else's copy (or an edited one) is refused like a button from another channel.

Nothing is stored: the seal lives only in the card in that person's own chat. Its key is
derived from the bot's client secret, which every replica has (in emulator mode, with no
secret, from a key made when the process starts).
"""

from __future__ import annotations

import hashlib
import hmac
import os

CHANNEL = "in"  # the form's data: the channel it is for
SEAL = "seal"  # the form's data: the HMAC
SEAL_CHARS = 32  # hex characters kept (128 bits)


class Sealer:
    def __init__(self, secret: str | None) -> None:
        material = secret.encode() if secret else os.urandom(32)
        self.key = hmac.new(material, b"rounds: 1:1 form seal", hashlib.sha256).digest()

    def seal(self, sender: str, tenant: str, channel: str, action: str, value: str) -> str:
        message = "\n".join((sender, tenant, channel, action, value)).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:SEAL_CHARS]

    def valid(
        self, seal: str, sender: str, tenant: str, channel: str, action: str, value: str
    ) -> bool:
        if not (seal and sender and channel):
            return False
        expected = self.seal(sender, tenant, channel, action, value)
        return hmac.compare_digest(seal, expected)
