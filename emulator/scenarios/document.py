"""Reading a scenario file: YAML or JSON, checked against the schema, errors with their path."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from emulator.http.errors import BadRequest
from emulator.scenarios.schema import SCHEMA, SECTION_ORDER

if TYPE_CHECKING:
    import jsonschema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """The schema checker, built on first use: jsonschema is slow to import and most runs
    load no scenario."""
    import jsonschema

    return jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


class ScenarioError(BadRequest):
    """A scenario cannot be loaded; the message names the file, the place in it and the problem."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source, self.where, self.problem = source, where, problem
        place = f" at {where}" if where else ""
        super().__init__(f"scenario {source}{place}: {problem}")


def path_text(parts: Iterable[str | int]) -> str:
    """`["devices", 3, "template"]` as `devices[3].template`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class AppSection(Struct, frozen=True):
    """What one application starts with; `subdomain` None means the default application."""

    subdomain: str | None
    where: str  # the path of this section in the file ("" or "applications[1]")
    content: dict[str, list[dict[str, Any]]]


class Scenario(Struct, frozen=True):
    """A checked scenario, with the folder its model files are relative to."""

    source: str
    base_dir: Path
    seed: int | None
    clock_start: datetime | None
    clock_scale: float | None
    clock_frozen: bool | None
    apps: tuple[AppSection, ...]

    def section_for(self, subdomain: str, default: str) -> AppSection | None:
        """The section that fills this application, if the scenario has one."""
        for section in self.apps:
            if (section.subdomain or default) == subdomain:
                return section
        return None

    def subdomains(self) -> tuple[str, ...]:
        """Subdomains the scenario names explicitly."""
        return tuple(s.subdomain for s in self.apps if s.subdomain)


def _sections(raw: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {name: raw[name] for name in SECTION_ORDER if raw.get(name)}


def parse(text: str, *, source: str, base_dir: Path) -> Scenario:
    """Check a scenario document (YAML, of which JSON is a subset) and return it."""
    import yaml  # slow to import; only scenario loading needs it

    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, where, f"not valid YAML or JSON ({problem})") from None
    if raw is None:
        raw = {}
    errors = sorted(_validator().iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        raise ScenarioError(source, path_text(error.absolute_path), _describe(error))
    clock = raw.get("clock") or {}
    start = None
    if "start" in clock:
        start = _instant(clock["start"], source)
    top = _sections(raw)
    apps = [AppSection(None, "", top)] if top else []
    for index, extra in enumerate(raw.get("applications") or []):
        apps.append(AppSection(extra["subdomain"], f"applications[{index}]", _sections(extra)))
    seen: set[str] = set()
    for section in apps:
        if section.subdomain is None:
            continue
        if section.subdomain in seen:
            raise ScenarioError(
                source, f"{section.where}.subdomain", f"'{section.subdomain}' appears twice"
            )
        seen.add(section.subdomain or "")
    return Scenario(
        source=source,
        base_dir=base_dir,
        seed=raw.get("seed"),
        clock_start=start,
        clock_scale=clock.get("scale"),
        clock_frozen=clock.get("frozen"),
        apps=tuple(apps),
    )


def _instant(text: str, source: str) -> datetime:
    try:
        start = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise ScenarioError(
            source, "clock.start", f"'{text}' is not an RFC 3339 time such as 2023-04-25T08:00:00Z"
        )
    return start


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        unknown = ", ".join(repr(k) for k in error.instance if k not in known)
        return f"unknown field {unknown}; the fields allowed here are: {', '.join(sorted(known))}"
    if error.validator == "required":
        return f"{error.message} (every entry needs it)"
    return error.message


def read(path: str) -> Scenario:
    """Read and check a scenario file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(path, "", f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "", "is not UTF-8 text") from None
    return parse(text, source=path, base_dir=file.resolve().parent)
