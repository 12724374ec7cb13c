"""What bolt may log. bolt (and Socket Mode, through the same logger) logs whole payloads at
DEBUG: who pressed and what they typed, an anonymous form's sender too. Its logger is never
set below INFO, and the body of a request whose signature failed is never written."""

from __future__ import annotations

import logging

BOLT = "rounds.slack.bolt"  # the logger bolt is given
VERIFICATION = "slack_bolt.RequestVerification"


class _QuietBolt(logging.Filter):
    """bolt logs the body of a request whose signature failed: we log only the fact. And it
    notes at start that SLACK_BOT_TOKEN is unused beside our client, which is intended."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Invalid request signature"):
            record.msg, record.args = "rejected a request with an invalid signature (401)", ()
        return not message.startswith("As you gave `client` as well")


_QUIET = _QuietBolt()


def bolt_logger() -> logging.Logger:
    """The logger to give bolt, quietened (the same filter each time: adding it is idempotent)."""
    for name in (VERIFICATION, BOLT):
        logging.getLogger(name).addFilter(_QUIET)
    logger = logging.getLogger(BOLT)
    logger.setLevel(logging.INFO)
    return logger
