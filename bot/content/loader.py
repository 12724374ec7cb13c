"""Load the content library from folders and report every problem found.

Loading never raises for bad content: a broken file or entry is reported as a `Problem`
and left out, so one bad file in an organisation's folder cannot take the bot down."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.model import (
    ARTICLE,
    KINDS,
    Article,
    Library,
    ModelStep,
    Prompt,
    Quote,
    ReflectionModel,
    Topic,
)
from bot.content.validate import Problem, validate

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FRONT_MATTER = "+++"


# What a content folder may hold; anything else is named in a warning (and ignored).
TABLES = ("topics.toml", "quotes.toml", "prompts.toml", "models.toml")
# Notes for people, which Rounds does not read: the README, and the rights notice (NOTICE)
CONTENT_FILES = (*TABLES, "README.md", "NOTICE")
ARTICLES = "articles"


@dataclass
class LoadResult:
    library: Library
    problems: list[Problem] = field(default_factory=list)
    # Nothing wrong with what loaded, but worth saying: files Rounds does not read, a
    # folder with no content in it
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class FieldError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def bundled_content_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "content"


def load_library(dirs: Iterable[Path]) -> LoadResult:
    """Load each folder in order into one library; later folders add to earlier ones."""
    result = LoadResult(Library())
    seen: set[Path] = set()
    for folder in dirs:
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        _load_folder(folder, result)
    result.problems.extend(validate(result.library))
    return result


def _load_folder(folder: Path, result: LoadResult) -> None:
    if not folder.is_dir():
        result.problems.append(Problem(str(folder), "folder", "not found or not a folder"))
        return
    result.warnings.extend(folder_warnings(folder))
    articles = folder / ARTICLES
    if articles.is_dir():
        for path in sorted(articles.glob("*.md")):
            _add(result, "article", result.library.articles, _load_article(path, result))
    tables: list[tuple[str, str, dict[str, Any], Callable[[dict[str, Any], str], Any]]] = [
        ("topics.toml", "topic", result.library.topics, _topic),
        ("quotes.toml", "quote", result.library.quotes, _quote),
        ("prompts.toml", "prompt", result.library.prompts, _prompt),
        ("models.toml", "model", result.library.models, _model),
    ]
    for name, kind, target, build in tables:
        path = folder / name
        if path.exists():
            for item in _load_table(path, kind, build, result):
                _add(result, kind, target, item)


def folder_warnings(folder: Path) -> list[Problem]:
    """Files and folders Rounds does not read (they are ignored), or no content at all."""
    expected = ", ".join([f"{ARTICLES}/*.md", *CONTENT_FILES])
    unknown = [p for p in sorted(folder.iterdir()) if not _known(p)]
    articles = folder / ARTICLES
    if articles.is_dir():
        unknown += [p for p in sorted(articles.iterdir()) if not _is_article(p)]
    warnings = [
        Problem(str(path), "file", f"not a content file (expected {expected}); ignored")
        for path in unknown
    ]
    has_articles = articles.is_dir() and any(_is_article(p) for p in articles.iterdir())
    tables = [name for name in TABLES if (folder / name).is_file()]
    if not has_articles and not tables:
        warnings.append(Problem(str(folder), "folder", f"has no content (expected {expected})"))
    return warnings


def _known(path: Path) -> bool:
    if path.name == ARTICLES:
        return path.is_dir()
    return path.name in CONTENT_FILES and path.is_file()


def _is_article(path: Path) -> bool:
    return path.suffix == ".md" and path.is_file()


def _add(result: LoadResult, kind: str, target: dict[str, Any], item: Any) -> None:
    if item is None:
        return
    key = item.slug if kind in ("topic", "model") else item.id
    if key in target:
        first = target[key].origin
        result.problems.append(
            Problem(item.origin, f"{kind} {key}: id", f"duplicate of the one in {first}")
        )
        return
    target[key] = item


def _load_table(
    path: Path,
    kind: str,
    build: Callable[[dict[str, Any], str], Any],
    result: LoadResult,
) -> list[Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        result.problems.append(Problem(str(path), "file", f"cannot be read: {exc}"))
        return []
    entries = data.get(kind, [])
    if not isinstance(entries, list):
        result.problems.append(Problem(str(path), kind, f"expected [[{kind}]] tables"))
        return []
    items = []
    for index, entry in enumerate(entries, start=1):
        label = f"{kind} {entry.get('id') or entry.get('slug') or f'#{index}'}"
        try:
            items.append(build(entry, str(path)))
        except FieldError as exc:
            result.problems.append(Problem(str(path), f"{label}: {exc.name}", str(exc)))
    return items


def _load_article(path: Path, result: LoadResult) -> Article | None:
    try:
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        article = _article(meta, body, str(path))
    except (OSError, UnicodeDecodeError) as exc:
        result.problems.append(Problem(str(path), "file", f"cannot be read: {exc}"))
        return None
    except tomllib.TOMLDecodeError as exc:
        result.problems.append(Problem(str(path), "front matter", f"invalid TOML: {exc}"))
        return None
    except FieldError as exc:
        result.problems.append(Problem(str(path), exc.name, str(exc)))
        return None
    if article.id != path.stem:
        result.problems.append(Problem(str(path), "id", f"{article.id!r} differs from file name"))
    return article


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER:
        raise FieldError("front matter", "the file must start with a +++ line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER)
    except StopIteration:
        raise FieldError("front matter", "no closing +++ line") from None
    meta = tomllib.loads("\n".join(lines[1:end]))
    return meta, "\n".join(lines[end + 1 :]).strip()


def _article(meta: dict[str, Any], body: str, origin: str) -> Article:
    if not body:
        raise FieldError("body", "the article has no text")
    url = _optional_str(meta, "url")
    return Article(
        id=_id(meta, "id"),
        title=_str(meta, "title"),
        authors=_str_list(meta, "authors"),  # [] when the source names no author
        date=_date(meta, "date"),
        source=_optional_str(meta, "source") or "",  # absent: the publisher is not named
        topics=_str_list(meta, "topics", required=True),
        summary=_str(meta, "summary"),
        body=body,
        url=url,
        kind=_kind(meta) or ARTICLE,
        expires=_optional_date(meta, "expires"),
        origin=origin,
    )


def _kind(entry: dict[str, Any]) -> str | None:
    kind = _optional_str(entry, "kind")
    if kind is not None and kind not in KINDS:
        raise FieldError("kind", f"{kind!r} must be one of {', '.join(KINDS)}")
    return kind


def _topic(entry: dict[str, Any], origin: str) -> Topic:
    return Topic(
        slug=_id(entry, "slug"),
        title=_str(entry, "title"),
        description=_str(entry, "description"),
        aliases=_str_list(entry, "aliases"),
        framing_quote=_optional_str(entry, "framing_quote"),
        introduction=_optional_str(entry, "introduction") or "",
        flagship=bool(entry.get("flagship", False)),
        origin=origin,
    )


def _quote(entry: dict[str, Any], origin: str) -> Quote:
    return Quote(
        id=_id(entry, "id"),
        article=_str(entry, "article"),
        text=_str(entry, "text"),
        speaker=_str(entry, "speaker"),
        topics=_str_list(entry, "topics", required=True),
        described=_bool(entry, "described"),
        role=_optional_str(entry, "role") or "",
        reported_by=_str_list(entry, "reported_by"),
        kind=_kind(entry),
        origin=origin,
    )


def _prompt(entry: dict[str, Any], origin: str) -> Prompt:
    return Prompt(
        id=_id(entry, "id"),
        topic=_str(entry, "topic"),
        text=_str(entry, "text"),
        quote=_str(entry, "quote"),
        origin=origin,
    )


def _model(entry: dict[str, Any], origin: str) -> ReflectionModel:
    steps = entry.get("step")
    if not isinstance(steps, list) or not steps:
        raise FieldError("step", "a model needs at least one [[model.step]]")
    interval = entry.get("interval_minutes")
    if interval is not None and (not isinstance(interval, int) or interval <= 0):
        raise FieldError("interval_minutes", "must be a positive whole number of minutes")
    return ReflectionModel(
        slug=_id(entry, "slug"),
        title=_str(entry, "title"),
        description=_str(entry, "description"),
        steps=tuple(_step(s, i) for i, s in enumerate(steps, start=1)),
        source=_optional_str(entry, "source") or "",
        interval_minutes=interval,
        origin=origin,
    )


def _step(entry: Any, number: int) -> ModelStep:
    if not isinstance(entry, dict):
        raise FieldError(f"step {number}", "must be a table")
    try:
        return ModelStep(label=_str(entry, "label"), question=_str(entry, "question"))
    except FieldError as exc:
        raise FieldError(f"step {number}: {exc.name}", str(exc)) from None


def _str(entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    if value is None:
        raise FieldError(name, "missing")
    if not isinstance(value, str) or not value.strip():
        raise FieldError(name, "must be non-empty text")
    return value.strip()


def _optional_str(entry: dict[str, Any], name: str) -> str | None:
    return _str(entry, name) if name in entry else None


def _bool(entry: dict[str, Any], name: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        raise FieldError(name, "must be true or false")
    return value


def _optional_date(entry: dict[str, Any], name: str) -> dt.date | None:
    if name not in entry:
        return None
    value = entry[name]
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise FieldError(name, "must be a date such as 2023-11-13")
    return value


def _id(entry: dict[str, Any], name: str) -> str:
    value = _str(entry, name)
    if not ID_PATTERN.match(value):
        raise FieldError(name, f"{value!r} must be lowercase letters, digits and hyphens")
    return value


def _str_list(entry: dict[str, Any], name: str, required: bool = False) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FieldError(name, "must be a list of non-empty text")
    if required and not value:
        raise FieldError(name, "must name at least one")
    return tuple(v.strip() for v in value)


def _date(entry: dict[str, Any], name: str) -> dt.date | None:
    """Required, but may be `undated` when the source text gives no date."""
    value = entry.get(name)
    if value is None:
        raise FieldError(name, "missing (write undated when the source gives no date)")
    if value == "undated":
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise FieldError(name, "must be a date such as 2023-01-25")
    return value


def content_dirs(extra: Sequence[Path], bundled: bool = True) -> list[Path]:
    """The bundled library first (unless `bundled` is false: ROUNDS_BUNDLED_CONTENT=off),
    then an organisation's own folders."""
    return [*([bundled_content_dir()] if bundled else []), *extra]
