"""MiniMax as the emulator speaks it: image-01, Hailuo video tasks, files, music, lyrics and
cover pre-processing, shaped after ../shared/api/minimax.md, under the /minimax prefix."""

from __future__ import annotations

from starlette.routing import Router


def router() -> Router:
    """The provider's routes, to mount at /minimax."""
    return Router(routes=[])
