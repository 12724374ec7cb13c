"""Rounds' entry points: the command line, the HTTP server and how they are put together."""

from __future__ import annotations

from importlib import metadata


def installed_version() -> str | None:
    """The installed package's version, from its metadata (pyproject.toml's `version`):
    what `rounds --version`, `/healthz` and the Teams package report; None if not installed."""
    try:
        return metadata.version("rounds")
    except metadata.PackageNotFoundError:
        return None


def version() -> str:
    """`installed_version`, for people to read."""
    return installed_version() or "unknown (not installed: pip install -e .)"
