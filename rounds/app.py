"""Logging set-up for the process: one line a record, as text or JSON. (Rounds itself is
put together in `rounds/assembly.py`.)"""

from __future__ import annotations

import json
import logging
import sys

from rounds.settings import Settings

FIELDS = ("platform", "slot", "outcome")  # what delivery lines carry (`extra=`)


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a delivery's fields become keys. (The access log writes its
    own lines, in the same shape: `rounds/access.py`.)"""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {name: record.__dict__[name] for name in FIELDS if name in record.__dict__}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def setup_logging(settings: Settings, level: int = logging.WARNING) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
