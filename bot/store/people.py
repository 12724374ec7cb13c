"""People are stored as `platform:workspace:user` (`bot.identity`). These statements
qualify any bare id left in the three columns that name a person, with its own row's
platform and workspace (a contribution's with its thread's). A value already qualified is
left alone, so they may run any number of times: migration 0007 runs them once, and the
daily retention job runs them again for rows a replica still on older code wrote during a
rolling upgrade. Plain SQL that SQLite and PostgreSQL both run."""

from __future__ import annotations

OWN = "platform || ':' || workspace || ':'"
THREAD = (
    "(SELECT r.platform || ':' || r.workspace || ':' FROM reflections r "
    "WHERE r.id = contributions.reflection_id)"
)
COLUMNS = (
    ("reflections", "facilitator", OWN),
    ("contributions", "author", THREAD),
    ("schedules", "created_by", OWN),
)


def qualified(column: str, prefix: str) -> str:
    return f"substr({column}, 1, length({prefix})) = {prefix}"


QUALIFY = tuple(
    f"UPDATE {table} SET {column} = {prefix} || {column} "
    f"WHERE {column} IS NOT NULL AND {prefix} IS NOT NULL AND NOT {qualified(column, prefix)}"
    for table, column, prefix in COLUMNS
)
UNQUALIFY = tuple(
    f"UPDATE {table} SET {column} = substr({column}, length({prefix}) + 1) "
    f"WHERE {column} IS NOT NULL AND {qualified(column, prefix)}"
    for table, column, prefix in COLUMNS
)
