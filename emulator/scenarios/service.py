"""Loading scenarios: replayed through the emulator's own REST API, in dependency order.

Replaying through the API keeps validation identical to what a client gets; a section whose
routes this build does not serve fails with a message that says so.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from msgspec import Struct
from msgspec.structs import replace

from emulator.api_tokens import service as api_tokens
from emulator.applications.service import Application
from emulator.config import Settings
from emulator.http.auth import ADMIN, Principal
from emulator.http.errors import SUPPORT_SUFFIX, ApiError
from emulator.identity import roles
from emulator.runtime.core import Runtime
from emulator.scenarios import document
from emulator.scenarios.document import AppSection, Scenario, ScenarioError, path_text

if TYPE_CHECKING:
    import httpx

API_VERSION = "2022-07-31"
_SUPPORT_LINE = SUPPORT_SUFFIX.split("{", 1)[0].strip()
_SCENARIO_ADMIN = Principal("admin-token", "scenario", ADMIN)
_ROLE_IDS = {r.display_name.lower(): r.id for r in roles.APP_ROLES + roles.ORG_ROLES}


class ScenarioState(Struct):
    """The scenario in force: what reset returns each application to."""

    scenario: Scenario | None


def with_scenario(settings: Settings) -> Settings:
    """Settings with the --scenario file read and checked: its seed and its applications."""
    if not settings.scenario:
        return settings
    scenario = document.read(settings.scenario)
    return replace(
        settings,
        seed=settings.seed if scenario.seed is None else scenario.seed,
        apps=tuple(dict.fromkeys(settings.apps + scenario.subdomains())),
        extra={**settings.extra, "scenario": scenario},
    )


def install(runtime: Runtime) -> None:
    """Keep the boot scenario; fill its applications at start and after every reset."""
    scenario = runtime.settings.extra.get("scenario")
    assert scenario is None or isinstance(scenario, Scenario)
    runtime.services["scenarios"] = ScenarioState(scenario)
    if scenario is not None:
        _set_clock(runtime, scenario)
    runtime.start_hooks.append(partial(_refill_at_start, runtime))
    runtime.reset_hooks.append(partial(_fill, runtime))


def current(runtime: Runtime) -> Scenario | None:
    state: ScenarioState = runtime.services["scenarios"]  # type: ignore[assignment]
    return state.scenario


def _set_clock(runtime: Runtime, scenario: Scenario) -> None:
    if scenario.clock_frozen is not None:
        runtime.clock.set_frozen(scenario.clock_frozen)
    if scenario.clock_scale is not None:
        runtime.clock.set_scale(scenario.clock_scale)
    if scenario.clock_start is not None:  # last, so it is exact
        runtime.clock.set_now(scenario.clock_start.timestamp())
    runtime.scheduler.notify()


def _section(runtime: Runtime, app: Application) -> AppSection | None:
    scenario = current(runtime)
    default = runtime.apps.default
    if scenario is None or default is None:
        return None
    return scenario.section_for(app.subdomain, default.subdomain)


async def _refill_at_start(runtime: Runtime, app: Application) -> None:
    """At boot a scenario's application starts from the scenario, whatever the database held."""
    if _section(runtime, app) is not None:
        await runtime.reset(app)


async def _fill(runtime: Runtime, app: Application) -> None:
    section = _section(runtime, app)
    scenario = current(runtime)
    if section is not None and scenario is not None:
        await apply(runtime=runtime, app=app, scenario=scenario, section=section)


async def load(*, runtime: Runtime, scenario: Scenario) -> list[Application]:
    """Make `scenario` the one in force, then reset every application it fills."""
    state: ScenarioState = runtime.services["scenarios"]  # type: ignore[assignment]
    if scenario.seed is not None:
        runtime.randomness.seed = scenario.seed
    _set_clock(runtime, scenario)
    state.scenario = scenario
    filled = []
    for subdomain in scenario.subdomains():
        if not runtime.apps.taken(subdomain):
            await runtime.add_application(
                subdomain=subdomain, admin_token=runtime.settings.admin_token
            )
    for app in runtime.apps.all():
        if _section(runtime, app) is not None:
            await runtime.reset(app)
            filled.append(app)
    return filled


async def load_file(*, runtime: Runtime, path: str) -> list[Application]:
    """Read a scenario file and load it."""
    return await load(runtime=runtime, scenario=document.read(path))


class _Replay(Struct):
    """One section being replayed: the client acting as the app's admin, and where we are."""

    client: httpx.AsyncClient
    runtime: Runtime
    app: Application
    scenario: Scenario
    where: str

    def at(self, *parts: str | int) -> str:
        return path_text([self.where, *parts]) if self.where else path_text(parts)

    def fail(self, where: str, problem: str) -> ScenarioError:
        return ScenarioError(self.scenario.source, where, problem)

    async def put(self, url: str, body: Any, where: str, *, api: bool = True) -> None:
        params = {"api-version": API_VERSION} if api else None
        response = await self.client.put(url, params=params, json=body)
        if response.status_code < 300:
            return
        route_missing = response.status_code == 405 or (
            response.status_code == 404 and "No resource at" in response.text
        )
        if route_missing:
            raise self.fail(
                where, f"this emulator does not serve PUT {url}, which this entry needs"
            )
        raise self.fail(where, f"PUT {url} answered {response.status_code}: {_message(response)}")


def _without_support_line(text: str) -> str:
    return text.split(_SUPPORT_LINE, 1)[0].strip()


def _message(response: httpx.Response) -> str:
    try:
        return _without_support_line(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:300]


def _without(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in keys}


def _role(value: str | dict[str, str]) -> dict[str, str]:
    spec = {"role": value} if isinstance(value, str) else dict(value)
    spec["role"] = _ROLE_IDS.get(spec["role"].lower(), spec["role"])
    return spec


def _with_roles(item: dict[str, Any]) -> dict[str, Any]:
    if "roles" not in item:
        return item
    return {**item, "roles": [_role(r) for r in item["roles"]]}


def _load_model(replay: _Replay, file: str, where: str) -> dict[str, Any]:
    path = replay.scenario.base_dir / Path(file)
    try:
        model = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise replay.fail(where, f"model file {path} cannot be read ({exc.strerror})") from None
    except orjson.JSONDecodeError as exc:
        raise replay.fail(where, f"model file {path} is not JSON ({exc})") from None
    if not isinstance(model, dict):
        raise replay.fail(where, f"model file {path} must hold one DTDL interface object")
    return model


def _display_text(value: Any, fallback: str) -> str:
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), fallback))
    return str(value) if value else fallback


async def _organizations(replay: _Replay, items: list[dict[str, Any]]) -> None:
    for index, item in enumerate(items):
        await replay.put(
            f"/api/organizations/{item['id']}",
            _without(item, "id"),
            replay.at("organizations", index),
        )


async def _device_templates(replay: _Replay, items: list[dict[str, Any]]) -> None:
    for index, item in enumerate(items):
        where = replay.at("deviceTemplates", index)
        body = _without(item, "id", "modelFile")
        if "modelFile" in item:
            model = _load_model(replay, item["modelFile"], f"{where}.modelFile")
            body = {
                "@type": ["ModelDefinition", "DeviceModel"],
                "displayName": item.get("displayName")
                or _display_text(model.get("displayName"), item["id"]),
                "capabilityModel": model,
                **_without(body, "displayName"),
            }
        await replay.put(f"/api/deviceTemplates/{item['id']}", body, where)


async def _devices(replay: _Replay, items: list[dict[str, Any]]) -> None:
    for index, item in enumerate(items):
        where = replay.at("devices", index)
        await replay.put(f"/api/devices/{item['id']}", _without(item, "id", "faults"), where)
    for index, item in enumerate(items):
        if "faults" in item:
            await replay.put(
                f"/_emulator/devices/{item['id']}/faults",
                item["faults"],
                replay.at("devices", index, "faults"),
                api=False,
            )


async def _simple(section: str, url: str, replay: _Replay, items: list[dict[str, Any]]) -> None:
    for index, item in enumerate(items):
        body = _with_roles(_without(item, "id"))
        await replay.put(f"{url}/{item['id']}", body, replay.at(section, index))


async def _api_tokens(replay: _Replay, items: list[dict[str, Any]]) -> None:
    """Through the API, except tokens with a fixed value, which the REST API cannot express."""
    for index, item in enumerate(items):
        where = replay.at("apiTokens", index)
        body = _with_roles(_without(item, "id", "token"))
        if "token" not in item:
            await replay.put(f"/api/apiTokens/{item['id']}", body, where)
            continue
        try:
            await api_tokens.create(
                runtime=replay.runtime,
                app=replay.app,
                principal=_SCENARIO_ADMIN,
                token_id=item["id"],
                body=body,
                fixed_value=item["token"],
            )
        except ApiError as exc:
            raise replay.fail(where, _without_support_line(exc.message)) from None


async def _users(replay: _Replay, items: list[dict[str, Any]]) -> None:
    await _simple("users", "/api/users", replay, [{"type": "email", **i} for i in items])


_STEPS = {
    "organizations": _organizations,
    "deviceTemplates": _device_templates,
    "devices": _devices,
    "deviceGroups": partial(_simple, "deviceGroups", "/api/deviceGroups"),
    "users": _users,
    "apiTokens": _api_tokens,
    "jobs": partial(_simple, "jobs", "/api/jobs"),
}


async def apply(
    *, runtime: Runtime, app: Application, scenario: Scenario, section: AppSection
) -> None:
    """Create what the section describes in `app`, section by section, in dependency order."""
    import httpx  # slow to import (it pulls in its command line); only replays need it

    transport = httpx.ASGITransport(app=runtime.services["http_app"])  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport,
        base_url=f"http://{app.subdomain}.azureiotcentral.com",
        headers={"Authorization": app.admin_token},
    ) as client:
        replay = _Replay(client, runtime, app, scenario, section.where)
        for name, step in _STEPS.items():
            if name in section.content:
                await step(replay, section.content[name])
