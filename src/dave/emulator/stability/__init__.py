"""The emulator's Stability AI slice: Stable Image and Stable Audio as
../shared/api/stability.md describes them, mounted at /stability. `routes.py` mounts them;
`image.py` (generate, upscale, control), `edit.py` and `audio.py` hold the routes, `results.py`
the async jobs and their polls, `picture.py` the pictures, `wire.py` the multipart form, key
check and error body."""

from __future__ import annotations

from .routes import router

__all__ = ["router"]
