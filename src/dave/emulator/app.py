"""Builds the emulator's ASGI app: provider routers, the chat endpoint, the media host, the
control API and middleware. Not a server: run it with `EmulatorServer` (tests), `serve` (the
CLI) or httpx2's ASGITransport."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from . import chat, files, minimax, stability, xai
from .appstate import app_config, app_log, attach
from .faults import EmulatorConfig, FaultRule
from .middleware import CONTROL_PREFIX, EmulatorMiddleware


def _rule_state(rule: FaultRule) -> dict[str, Any]:
    return {**rule.model_dump(), "seen": rule.seen, "applied": rule.applied}


async def _list_requests(request: Request) -> Response:
    return JSONResponse(app_log(request.app).to_json())


async def _clear_requests(request: Request) -> Response:
    app_log(request.app).clear()
    return Response(status_code=204)


async def _list_faults(request: Request) -> Response:
    return JSONResponse([_rule_state(rule) for rule in app_config(request.app).faults])


async def _set_faults(request: Request) -> Response:
    """Replace the fault rules of a running emulator (e.g. one in another process)."""
    try:
        rules = await request.json()
        if not isinstance(rules, list):
            raise ValueError("expected a JSON list of fault rules")
        app_config(request.app).set_faults(rules)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        return JSONResponse({"code": "400", "error": str(exc)}, status_code=400)
    return await _list_faults(request)


async def _health(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def _http_error(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods get the same flat error body as every other x.ai error.
    assert isinstance(exc, HTTPException)
    body = {"code": str(exc.status_code), "error": exc.detail}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _control_routes() -> list[Route]:
    return [
        Route(f"{CONTROL_PREFIX}/requests", _list_requests, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/requests", _clear_requests, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/faults", _list_faults, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/faults", _set_faults, methods=["PUT"]),
        Route(f"{CONTROL_PREFIX}/health", _health, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/chat-script", chat.get_chat_script, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/chat-script", chat.put_chat_script, methods=["PUT"]),
    ]


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """The emulator as an ASGI app; `app.state.config` and `app.state.log` are live, and
    `app.state.store` keeps jobs and files (in `config.state_file` when set)."""
    app = Starlette(
        routes=[
            # Before the x.ai mount, which would otherwise claim every /v1 path.
            Route("/v1/chat/completions", chat.chat_completions, methods=["POST"]),
            Mount("/v1", app=xai.router()),
            # MiniMax's OpenAI-compatible chat route, answered by the same chat model.
            Route("/minimax/v1/chat/completions", chat.chat_completions, methods=["POST"]),
            Mount("/minimax", app=minimax.router()),
            Mount("/stability", app=stability.router()),
            *files.routes(),
            *_control_routes(),
        ],
        middleware=[Middleware(EmulatorMiddleware)],
        exception_handlers={HTTPException: _http_error},
    )
    attach(app, config if config is not None else EmulatorConfig())
    return app
