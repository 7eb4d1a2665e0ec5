"""A FastAPI route that analyses its endpoint when first served or inspected, not when declared."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.convertors import Convertor
from starlette.routing import compile_path, get_name

_Declaration = tuple[str, Callable[..., Any], dict[str, Any]]
_PATH_ATTRIBUTES = frozenset({"path_format", "param_convertors"})


class PathPattern:
    """A route's path regex, compiled when a request path first starts with the route's fixed part.

    Most requests are not for most routes: for those, a string prefix test answers the routing
    question without the regex, and start-up compiles none of them.
    """

    __slots__ = ("path", "prefix", "_compiled")

    def __init__(self, path: str) -> None:
        self.path = path
        self.prefix = path.partition("{")[0]
        self._compiled: tuple[re.Pattern[str], str, dict[str, Convertor[Any]]] | None = None

    def compiled(self) -> tuple[re.Pattern[str], str, dict[str, Convertor[Any]]]:
        """Starlette's regex, format and convertors of the path, compiled once."""
        if self._compiled is None:
            self._compiled = compile_path(self.path)
        return self._compiled

    def match(self, route_path: str) -> re.Match[str] | None:
        if not route_path.startswith(self.prefix):
            return None
        return self.compiled()[0].match(route_path)


class LazyRoute(APIRoute):
    """An APIRoute that defers FastAPI's analysis of the endpoint's parameters to first use.

    That analysis (a pydantic validator per parameter) is most of what declaring a route costs,
    and start-up declares every route. Matching a request needs only the path pattern and the
    methods, and finding a route by name (`url_for`) its name: these are set at once (the path
    regex as a `PathPattern`). Reading any other attribute (to serve a matched request, to build
    the OpenAPI document) first completes the route with APIRoute's own constructor.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        self._declaration: _Declaration | None = (path, endpoint, options)
        self.path = path
        self.endpoint = endpoint
        name = options.get("name")
        self.name = get_name(endpoint) if name is None else name
        self.methods = {method.upper() for method in options.get("methods") or ["GET"]}
        self.path_regex = PathPattern(path)

    def __getattr__(self, name: str) -> Any:
        if name in _PATH_ATTRIBUTES:
            _, self.path_format, self.param_convertors = self.path_regex.compiled()
            return getattr(self, name)
        declaration = self.__dict__.get("_declaration")
        if declaration is None or name.startswith("__"):
            raise AttributeError(name)
        self._declaration = None
        path, endpoint, options = declaration
        pattern = self.path_regex
        try:
            APIRoute.__init__(self, path, endpoint, **options)
        except BaseException:
            self._declaration = declaration
            raise
        finally:
            self.path_regex = pattern
        return getattr(self, name)
