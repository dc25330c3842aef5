"""The emulator's MiniMax slice: image-01, Hailuo video tasks, files and music as
../shared/api/minimax.md describes them, mounted at /minimax. `routes.py` mounts them,
`media.py` holds images, videos and files, `music.py` music and lyrics, `wire.py` the key
check, the `base_resp` envelope and `Trace-Id`."""

from __future__ import annotations

from .routes import router

__all__ = ["router"]
