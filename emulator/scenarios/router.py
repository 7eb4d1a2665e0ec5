"""Scenarios over HTTP: the JSON Schema, the scenario in force, and loading another."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from emulator.http.context import Control
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response
from emulator.scenarios import document, service
from emulator.scenarios.schema import SCHEMA

router = APIRouter(prefix="/_emulator", tags=["emulator"], route_class=LazyRoute)


@router.get(
    "/scenario-schema",
    operation_id="Emulator_GetScenarioSchema",
    summary="The JSON Schema of scenario files; needs no auth",
)
async def get_schema() -> Response:
    return json_response(SCHEMA, headers={"Content-Type": "application/schema+json"})


@router.post(
    "/scenario",
    operation_id="Emulator_LoadScenario",
    summary="Load a scenario (YAML or JSON body): it becomes what reset returns to",
)
async def load_scenario(request: Request, ctx: Control) -> Response:
    text = (await request.body()).decode("utf-8", "replace")
    scenario = document.parse(text, source="(request body)", base_dir=Path.cwd())
    filled = await service.load(runtime=ctx.runtime, scenario=scenario)
    return json_response({"applications": [a.subdomain for a in filled]})
