"""Stability AI as the emulator speaks it: Stable Image generate, edit, upscale and control, Stable
Audio, and the results routes, shaped after ../shared/api/stability.md, under /stability.

The routes live by idea in image.py, edit.py, audio.py and
results.py; the shared wire rules in wire.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from . import audio, edit, image
from .results import audio_result, image_result
from .wire import StabilityError, error_response


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    path = Request(scope).url.path
    await error_response(StabilityError(404, "not_found", f"{path}: no such route"))(
        scope, receive, send
    )


def router() -> Router:
    """The provider's routes, to mount at /stability."""
    routes = [route.handler() for route in (*image.ROUTES, *edit.ROUTES)]
    return Router(
        routes=[
            *routes,
            *audio.ROUTES,
            Route("/v2beta/results/{id}", image_result, methods=["GET"]),
            # The legacy alias of creative upscale's results (§2).
            Route(
                "/v2beta/stable-image/upscale/creative/result/{id}", image_result, methods=["GET"]
            ),
            Route("/v2beta/audio/results/{id}", audio_result, methods=["GET"]),
        ],
        default=_not_found,
    )
