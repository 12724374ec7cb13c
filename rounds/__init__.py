"""Rounds' entry points: the command line, the HTTP server and how they are put together."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    """The installed package's version, from its metadata (pyproject.toml's `version`):
    what `rounds --version`, `/healthz` and the Teams package report."""
    try:
        return metadata.version("rounds")
    except metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"
