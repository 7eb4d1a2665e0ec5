"""IoT Central's error envelope, for every error whatever raised it."""

from __future__ import annotations

import logging
from email.utils import formatdate

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("iotc_emulator.errors")

SUPPORT_SUFFIX = (
    " You can contact support at https://aka.ms/iotcentral-support. Please include the following"
    " information. Request ID: {request_id}, Time: {time}."
)

_CODES_BY_STATUS = {
    400: "BadRequest",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    500: "InternalServerError",
}


class ApiError(Exception):
    """An error the client caused or must know about; rendered as IoT Central's envelope."""

    status = 400
    # IoT Central appends its support line; Azure Resource Manager errors do not.
    support_suffix = True

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.code = code or _CODES_BY_STATUS.get(self.status, "BadRequest")


class BadRequest(ApiError):
    status = 400


class Unauthenticated(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PreconditionFailed(ApiError):
    status = 412


class UnprocessableEntity(ApiError):
    status = 422


class TooManyRequests(ApiError):
    status = 429


def rfc1123(timestamp: float) -> str:
    """The `Date`-header form of an emulated moment, as IoT Central stamps errors."""
    return formatdate(timestamp, usegmt=True)


def error_body(
    status: int,
    message: str,
    request_id: str,
    code: str | None = None,
    *,
    at: float,
    suffix: bool = True,
) -> bytes:
    """Serialize the envelope; the message gains IoT Central's support suffix unless told not."""
    time = rfc1123(at)
    code = code or _CODES_BY_STATUS.get(status, "BadRequest")
    text = message.rstrip()
    if suffix:
        text += SUPPORT_SUFFIX.format(request_id=request_id, time=time)
    return orjson.dumps(
        {"error": {"code": code, "message": text, "requestId": request_id, "time": time}}
    )


def error_response(
    request: Request,
    status: int,
    message: str,
    code: str | None = None,
    *,
    suffix: bool = True,
) -> Response:
    """An envelope response for this request, carrying the code in `x-ms-error-code`."""
    code = code or _CODES_BY_STATUS.get(status, "BadRequest")
    state = request.scope.get("state", {})
    request_id = state.get("request_id", "00000000")
    return Response(
        error_body(status, message, request_id, code, at=state["received_at"], suffix=suffix),
        status_code=status,
        media_type="application/json",
        headers={"x-ms-error-code": code},
    )


def api_error_response(request: Request, exc: ApiError) -> Response:
    """The envelope of an error a service raised."""
    return error_response(request, exc.status, exc.message, exc.code, suffix=exc.support_suffix)


def _describe_validation(exc: RequestValidationError) -> tuple[int, str]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            return 400, (
                "The request body is not valid JSON"
                f" ({ctx.get('error', 'parse error')}); send a JSON document."
            )
        where = ".".join(loc[1:]) if loc and loc[0] == "body" else ".".join(loc)
        source = loc[0] if loc else "request"
        label = f"{source} field '{where}'" if where and source == "body" else f"'{where}'"
        if source == "body" and not where:
            label = "the request body"
        problems.append(f"{label}: {err.get('msg', 'invalid value')}")
    return 400, "The request is not valid: " + "; ".join(problems) + ". Fix it and try again."


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception FastAPI sees into the envelope."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return api_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        status, message = _describe_validation(exc)
        return error_response(request, status, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            message = (
                f"No resource at '{request.url.path}'. IoT Central operations live under /api"
                " (for example /api/devices?api-version=2022-07-31); emulator controls under"
                " /_emulator."
            )
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "see /docs")
            message = (
                f"The method {request.method} is not supported on '{request.url.path}'."
                f" Allowed: {allowed}."
            )
        else:
            message = str(exc.detail)
        return error_response(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "The emulator hit an internal error; the server log has the details."
        )
