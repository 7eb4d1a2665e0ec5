"""Fast JSON responses: orjson, no re-validation of what the services already built."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JsonResponse(Response):
    """A JSON response serialized with orjson (or already serialized bytes, sent as they are)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


def json_response(
    content: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JsonResponse(content, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)
