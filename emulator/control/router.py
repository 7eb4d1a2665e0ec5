"""The emulator's own endpoints under /_emulator: health, reset and the clock."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from emulator import __version__
from emulator.http.context import Control, runtime_of
from emulator.http.errors import BadRequest
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response, no_content
from emulator.runtime.clock import iso
from emulator.runtime.durations import parse_duration

router = APIRouter(prefix="/_emulator", tags=["emulator"], route_class=LazyRoute)


class ClockChange(BaseModel):
    """Move, speed up or freeze emulated time; every field is optional."""

    advance: str | float | None = Field(
        None, description="ISO-8601 duration such as PT30S, or seconds, to jump forward"
    )
    scale: float | None = Field(None, description="emulated seconds per real second (> 0)")
    frozen: bool | None = Field(None, description="true stops emulated time, false restarts it")


def _clock_state(request: Request) -> dict[str, object]:
    clock = runtime_of(request).clock
    return {"now": iso(clock.now()), "scale": clock.scale, "frozen": clock.frozen}


@router.get("/health", operation_id="Emulator_Health", summary="Liveness; needs no auth")
async def health(request: Request) -> Response:
    runtime = runtime_of(request)
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "applications": [{"subdomain": a.subdomain, "id": a.id} for a in runtime.apps.all()],
            "database": runtime.settings.db_path or ":memory:",
            "seed": runtime.settings.seed,
        }
    )


@router.post("/reset", operation_id="Emulator_Reset", status_code=204, summary="Wipe the app")
async def reset(ctx: Control) -> Response:
    await ctx.runtime.reset(ctx.app)
    return no_content()


@router.get("/clock", operation_id="Emulator_GetClock", summary="Emulated time")
async def get_clock(request: Request, _: Control) -> Response:
    return json_response(_clock_state(request))


@router.post("/clock", operation_id="Emulator_SetClock", summary="Advance, scale or freeze time")
async def set_clock(change: ClockChange, request: Request, ctx: Control) -> Response:
    runtime = ctx.runtime
    seconds: float | None = None
    if change.advance is not None:
        try:
            seconds = (
                float(change.advance)
                if isinstance(change.advance, int | float)
                else parse_duration(change.advance)
            )
        except ValueError as exc:
            raise BadRequest(f"advance: {exc}.") from None
        if seconds < 0:
            raise BadRequest("advance must not be negative; the clock only moves forward.")
    if change.scale is not None and change.scale <= 0:
        raise BadRequest("scale must be greater than 0 (emulated seconds per real second).")
    if change.scale is not None:
        runtime.clock.set_scale(change.scale)
    if change.frozen is not None:
        runtime.clock.set_frozen(change.frozen)
    runtime.scheduler.notify()
    if seconds:
        await runtime.scheduler.advance(seconds)
    return json_response(_clock_state(request))
