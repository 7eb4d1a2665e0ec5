"""The per-request chain of the control plane: ARM api-version, then the caller's bearer token."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from msgspec import Struct

from emulator.control_plane.errors import ArmError
from emulator.http.context import runtime_of
from emulator.http.errors import ApiError
from emulator.http.versions import ARM_SUPPORTED, ArmVersion
from emulator.runtime.core import Runtime

_SUPPORTED_TEXT = ", ".join(ARM_SUPPORTED)


class ArmContext(Struct):
    """What a control-plane route needs: the runtime, the api-version and the request."""

    runtime: Runtime
    version: ArmVersion
    request: Request

    async def body(self) -> dict[str, Any]:
        """The JSON object sent, or InvalidRequestContent saying what is wrong."""
        raw = await self.request.body()
        try:
            value = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError as exc:
            raise ArmError(
                f"The request content is not valid JSON ({exc}); send a JSON object.",
                code="InvalidRequestContent",
            ) from None
        if not isinstance(value, dict):
            raise ArmError(
                "The request content must be a JSON object.", code="InvalidRequestContent"
            )
        return value


def _version(request: Request) -> ArmVersion:
    value = request.query_params.get("api-version")
    if not value:
        raise ArmError(
            "The api-version query parameter (?api-version=) is required for all requests."
            f" Supported versions: {_SUPPORTED_TEXT}.",
            code="MissingApiVersionParameter",
        )
    version = ARM_SUPPORTED.get(value)
    if version is None:
        raise ArmError(
            f"The api-version '{value}' is invalid for Microsoft.IoTCentral. Supported versions:"
            f" {_SUPPORTED_TEXT}.",
            code="InvalidApiVersionParameter",
        )
    return version


async def _authenticate(runtime: Runtime, header: str | None) -> None:
    """Loose: any bearer token; strict: what the default app accepts as Administrator."""
    if runtime.settings.auth == "off":
        return
    if not header or not header.startswith("Bearer "):
        raise ArmError(
            "Authentication failed. Send 'Authorization: Bearer <token>'; with --auth loose any"
            " token is accepted.",
            status=401,
            code="AuthenticationFailed",
        )
    if runtime.settings.auth == "loose":
        return
    app = runtime.apps.default
    assert app is not None
    try:
        principal = await runtime.auth.authenticate(header, app)
    except ApiError:
        principal = None
    if principal is None or not principal.is_administrator:
        raise ArmError(
            "The bearer token was not issued by this emulator for an Administrator and --auth is"
            " strict. Use such a token, or start with --auth loose to accept any bearer token.",
            status=401,
            code="InvalidAuthenticationToken",
        )


async def arm_caller(request: Request) -> Runtime:
    """Check the caller only; for the one route outside Microsoft.IoTCentral's versions."""
    runtime = runtime_of(request)
    await _authenticate(runtime, request.headers.get("authorization"))
    return runtime


async def arm_context(request: Request) -> ArmContext:
    """Resolve and check a control-plane call; a dependency of every ARM route."""
    runtime = await arm_caller(request)
    return ArmContext(runtime, _version(request), request)


Arm = Annotated[ArmContext, Depends(arm_context)]
ArmCaller = Annotated[Runtime, Depends(arm_caller)]
