"""Who publishes the Teams app and where it lives: what `rounds teams-package` puts in the
manifest's developer, name, version and validDomains.

Each value comes from its flag, else from the settings (ROUNDS_PUBLIC_URL,
ROUNDS_ORGANISATION, ROUNDS_PRIVACY_URL, ROUNDS_TERMS_URL), else from a default on the host,
and is checked against what Teams accepts. A real package never falls back to localhost or
to a made-up publisher: without a host or a developer name it is refused, and `--local`
builds one for localhost (the Bot Framework Emulator) instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from rounds import installed_version
from rounds.settings import Settings

LOCALHOST = "localhost"
LOCAL_DEVELOPER = "Rounds (local testing)"
APP_NAME = "Rounds"
FULL_NAME = "{name} — NHS leadership conversations"
SHORT_NAME_MAX = 30  # Teams' limits, from its manifest schema
DEVELOPER_NAME_MAX = 32
URL_MAX = 2048

# A bare host name (what Teams' validDomains holds): no scheme, path, port or spaces.
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){LABEL}(?:\.{LABEL})*$")
# Teams takes MAJOR.MINOR.PATCH only: no pre-release or build suffix, no leading zeros.
WHITESPACE = re.compile(r"\s")
VERSION = re.compile(r"^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$")

# What `rounds teams-package` says when it refuses, in one place.
LOCAL_AND_HOST = (
    "--local and --host cannot be used together: --local builds a package for localhost "
    "(the Bot Framework Emulator), --host one for your public host"
)
NO_HOST = (
    "the Teams package needs the public host of rounds serve: give --host HOST "
    "(e.g. --host rounds.mytrust.nhs.uk) or set ROUNDS_PUBLIC_URL, or --local for a "
    "package for the Bot Framework Emulator on localhost"
)
NOT_A_HOST = (
    "{source} {value!r} is not a host name: give just the host that reaches Rounds over "
    "HTTPS, e.g. rounds.mytrust.nhs.uk (no https://, path or port)"
)
NO_DEVELOPER = (
    "the Teams package needs the name of the organisation publishing it (Teams shows it as "
    "the developer): give --developer-name NAME or set ROUNDS_ORGANISATION"
)
BAD_DEVELOPER = (
    "{source} must be 1 to 32 characters (Teams' limit for the developer name), got "
    "{length}: give a shorter form with --developer-name"
)
BAD_APP_NAME = (
    "--app-name must be 1 to 30 characters (Teams' limit for an app's short name), got {length}"
)
BAD_URL = (
    "{source} {value!r} is not an https:// address: Teams accepts only https links for the "
    "developer's website, privacy notice and terms of use"
)
BAD_VERSION = (
    "{source} {value!r} is not a version Teams accepts: it needs MAJOR.MINOR.PATCH, "
    "e.g. 1.2.0; give one with --version"
)
NO_VERSION = (
    "the installed version of Rounds is unknown (not installed): give --version, e.g. 1.0.0"
)


class PackageError(ValueError):
    """The package cannot be built. The message says why and never includes secrets."""


@dataclass(frozen=True)
class Options:
    """What was asked for on the command line; None where a flag was not given."""

    host: str | None = None
    local: bool = False
    developer_name: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None
    website_url: str | None = None
    version: str | None = None
    app_name: str | None = None


@dataclass(frozen=True)
class Listing:
    """The manifest's values, every one checked."""

    host: str
    developer_name: str
    website_url: str
    privacy_url: str
    terms_url: str
    version: str
    short_name: str
    full_name: str


def listing(settings: Settings, options: Options) -> Listing:
    """The values for the package, from `options`, then `settings`, then the defaults."""
    host, base = _where(settings, options)
    short_name = _app_name(APP_NAME if options.app_name is None else options.app_name)
    return Listing(
        host=host,
        developer_name=_developer(settings, options),
        website_url=_url(_first(("--website-url", options.website_url)), base + "/"),
        privacy_url=_url(
            _first(
                ("--privacy-url", options.privacy_url), ("ROUNDS_PRIVACY_URL", settings.privacy_url)
            ),
            base + "/privacy",
        ),
        terms_url=_url(
            _first(("--terms-url", options.terms_url), ("ROUNDS_TERMS_URL", settings.terms_url)),
            base + "/terms",
        ),
        version=_version(options.version),
        short_name=short_name,
        full_name=FULL_NAME.format(name=short_name),
    )


def _where(settings: Settings, options: Options) -> tuple[str, str]:
    """The bare host name for validDomains, and the https address the default links are on."""
    if options.local:
        if options.host is not None:
            raise PackageError(LOCAL_AND_HOST)
        return LOCALHOST, f"https://{LOCALHOST}"
    public = settings.public_url
    public_host = (urlsplit(public).hostname or "") if public else ""
    if options.host is not None:
        host = check_host("--host", options.host)
        if public is None or public_host.lower() != host:
            return host, f"https://{host}"
    elif public is None:
        raise PackageError(NO_HOST)
    host = check_host("ROUNDS_PUBLIC_URL's host", public_host)
    if not public.startswith("https://"):
        raise PackageError(BAD_URL.format(source="ROUNDS_PUBLIC_URL", value=public))
    return host, public  # with a port or path prefix it has


def check_host(source: str, value: str) -> str:
    host = value.strip().lower()
    if not HOSTNAME.fullmatch(host):
        raise PackageError(NOT_A_HOST.format(source=source, value=value))
    return host


def _developer(settings: Settings, options: Options) -> str:
    given = _first(
        ("--developer-name", options.developer_name), ("ROUNDS_ORGANISATION", settings.organisation)
    )
    if given is None:
        if not options.local:
            raise PackageError(NO_DEVELOPER)
        return LOCAL_DEVELOPER
    source, name = given[0], given[1].strip()
    if not 0 < len(name) <= DEVELOPER_NAME_MAX:
        raise PackageError(BAD_DEVELOPER.format(source=source, length=len(name)))
    return name


def _app_name(value: str) -> str:
    name = value.strip()
    if not 0 < len(name) <= SHORT_NAME_MAX:
        raise PackageError(BAD_APP_NAME.format(length=len(name)))
    return name


def _first(*candidates: tuple[str, str | None]) -> tuple[str, str] | None:
    """The first (source, value) that was given, with where it came from."""
    for source, value in candidates:
        if value is not None:
            return source, value
    return None


def _url(given: tuple[str, str] | None, default: str) -> str:
    source, value = given or ("the default from the host", default)
    try:
        parsed = urlsplit(value)
    except ValueError:  # e.g. an unclosed [ in the host
        raise PackageError(BAD_URL.format(source=source, value=value)) from None
    if (
        parsed.scheme != "https"
        or not parsed.hostname
        or len(value) > URL_MAX
        or WHITESPACE.search(value)
    ):
        raise PackageError(BAD_URL.format(source=source, value=value))
    return value


def _version(value: str | None) -> str:
    source, version = (
        ("--version", value) if value is not None else ("Rounds' own version", installed_version())
    )
    if version is None:
        raise PackageError(NO_VERSION)
    if not VERSION.fullmatch(version):
        raise PackageError(BAD_VERSION.format(source=source, value=version))
    return version
