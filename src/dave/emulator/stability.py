"""Stability AI as the emulator speaks it: Stable Image generate, edit, upscale and control, Stable
Audio, and the results routes, shaped after ../shared/api/stability.md, under /stability."""

from __future__ import annotations

from starlette.routing import Router


def router() -> Router:
    """The provider's routes, to mount at /stability."""
    return Router(routes=[])
