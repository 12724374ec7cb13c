"""Microsoft's schema for the Teams app manifest, and what the Teams package tests share.

The schema is a copy of Microsoft's own (tests/data/teams/README.md says where from), picked
by the manifest's `manifestVersion`; every manifest a test reads through `manifest_of` is
checked against it, so a value Teams would refuse fails the test that built it.
"""

from __future__ import annotations

import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

APP_ID = "00000000-0000-0000-0000-000000000b07"
HOST = "rounds.example.nhs.uk"
ORGANISATION = "Example NHS Trust"
SCHEMAS = Path(__file__).resolve().parent / "data" / "teams"


@cache
def validator(version: str) -> Any:
    path = SCHEMAS / f"MicrosoftTeams.v{version}.schema.json"
    assert path.exists(), f"no Microsoft schema for manifest {version}: copy it to {path}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def schema_errors(manifest: Any) -> list[str]:
    """What Microsoft's schema for the manifest's version finds wrong with it, one a line."""
    errors = validator(str(manifest["manifestVersion"])).iter_errors(manifest)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def manifest_of(archive: zipfile.ZipFile) -> Any:
    """The package's manifest, after checking it against Microsoft's schema."""
    manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
    assert schema_errors(manifest) == []
    return manifest
