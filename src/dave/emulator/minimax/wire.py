"""What every MiniMax route in the emulator shares: the key check, the `base_resp` envelope
(business errors answer HTTP 200 with a non-zero code) and the `Trace-Id` header. Not the routes
themselves (media.py, music.py) nor the router that mounts them (routes.py)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..appstate import app_config
from ..faults import EmulatorConfig, FaultRule
from ..middleware import FAULT_SCOPE_KEY
from ..wire import ApiError, bearer_key

Handler = Callable[[Request], Awaitable[Response]]

OK = {"status_code": 0, "status_msg": "success"}
INVALID_PARAMS = 2013


class MinimaxError(Exception):
    """A business error: HTTP 200 (unless `http` says otherwise) with this base_resp."""

    def __init__(self, code: int, message: str, http: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http = http


def trace_id() -> str:
    return secrets.token_hex(16)


def answer(body: dict[str, Any], *, status: int = 200) -> JSONResponse:
    """A body with a success `base_resp` (unless it has one) and a `Trace-Id` header."""
    body.setdefault("base_resp", OK)
    return JSONResponse(body, status_code=status, headers={"Trace-Id": trace_id()})


def error_body(code: int, message: str, *, status: int = 200) -> JSONResponse:
    return answer({"base_resp": {"status_code": code, "status_msg": message}}, status=status)


def endpoint(handler: Handler) -> Handler:
    """Check the key first; render client errors as MiniMax's `base_resp` answers."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            _authorize(request)
            return await handler(request)
        except MinimaxError as error:
            return error_body(error.code, error.message, status=error.http)
        except ApiError as error:  # from the shared body readers: a bad parameter
            return error_body(INVALID_PARAMS, f"invalid params, {error.message}")

    return wrapped


def config_of(request: Request) -> EmulatorConfig:
    return app_config(request.app)


def outcome(request: Request) -> FaultRule | None:
    """An outcome fault (failed, expired, moderated) the middleware chose for this request."""
    return request.scope.get(FAULT_SCOPE_KEY)


def _authorize(request: Request) -> None:
    key = bearer_key(request)
    if key is None:
        raise MinimaxError(
            1004,
            "login fail: Please carry the API secret key in the 'Authorization' field of the "
            "request header",
        )
    keys = config_of(request).api_keys
    if keys is not None and key not in keys:
        raise MinimaxError(2049, "invalid api key")


def invalid(message: str) -> MinimaxError:
    return MinimaxError(INVALID_PARAMS, f"invalid params, {message}")
