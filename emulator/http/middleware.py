"""Request ids, access logging, the body-size limit and the last line of error defence."""

from __future__ import annotations

import logging
import random
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.http.errors import error_body
from emulator.runtime.clock import Clock

access_log = logging.getLogger("iotc_emulator.access")
log = logging.getLogger("iotc_emulator.errors")

REQUEST_ID_HEADER = b"x-ms-request-id"


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
# Every pair of base32 characters, by the 10 bits it stands for.
_PAIRS = [a + b for a in _BASE32 for b in _BASE32]


def new_request_id() -> str:
    """An 8-character lowercase alphanumeric id, like IoT Central's (40 random bits).

    Ids only tell requests apart, so a fast non-cryptographic generator is enough.
    """
    bits = random.getrandbits(40)
    return (
        _PAIRS[bits >> 30]
        + _PAIRS[bits >> 20 & 1023]
        + _PAIRS[bits >> 10 & 1023]
        + _PAIRS[bits & 1023]
    )


class _BodyTooLarge(Exception):
    pass


class RequestMiddleware:
    """Pure ASGI middleware: cheap enough for the hot path."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, clock: Clock) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["received_at"] = self.clock.timestamp()
        started = time.perf_counter()
        status_holder = [500]
        response_started = False
        debug = access_log.isEnabledFor(logging.DEBUG)
        received: list[bytes] = []
        limit = self.max_body_bytes

        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._reply(send, 413, _too_large(limit), request_id, status_holder)
                self._log(scope, status_holder[0], started, request_id, received)
                return

        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > limit:
                    raise _BodyTooLarge
                if debug:
                    received.append(chunk)
            return message

        async def stamped_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder[0] = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, counting_receive, stamped_send)
        except _BodyTooLarge:
            if not response_started:
                await self._reply(send, 413, _too_large(limit), request_id, status_holder)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not response_started:
                await self._reply(
                    send,
                    500,
                    "The emulator hit an internal error; the server log has the details.",
                    request_id,
                    status_holder,
                )
        self._log(scope, status_holder[0], started, request_id, received)

    async def _reply(
        self, send: Send, status: int, message: str, request_id: str, holder: list[int]
    ) -> None:
        body = error_body(status, message, request_id, at=self.clock.timestamp())
        code = "PayloadTooLarge" if status == 413 else "InternalServerError"
        holder[0] = status
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-ms-error-code", code.encode()),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(
        self, scope: Scope, status: int, started: float, request_id: str, body: list[bytes]
    ) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        millis = (time.perf_counter() - started) * 1000
        path = scope.get("path", "")
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode("latin-1")
        access_log.info(
            "%s %s %d %.1fms rid=%s", scope.get("method"), path, status, millis, request_id
        )
        if body:
            text = b"".join(body)[:4096].decode("utf-8", "replace")
            access_log.debug("rid=%s body=%s", request_id, text)


def _too_large(limit: int) -> str:
    return f"The request body is larger than {limit} bytes; send a smaller body."
