"""The emulator's x.ai slice: Grok Imagine images and video jobs as ../shared/api/xai.md describes
them, mounted at /v1. `routes.py` answers the requests, `video.py` checks and plans video
submissions, `prices.py` says what each costs in `cost_in_usd_ticks`."""

from __future__ import annotations

from .routes import router

__all__ = ["router"]
