"""MiniMax as the emulator speaks it: image-01, Hailuo video tasks, files, music, lyrics and
cover pre-processing, shaped after ../shared/api/minimax.md, under the /minimax prefix.

This module mounts the routes, which live in `media.py` and `music.py`; what
they share (key check, `base_resp` envelope, `Trace-Id`) is in `wire.py`. Not a client,
and not lenient where the document is certain.
"""

from __future__ import annotations

from starlette.routing import Route, Router

from . import media, music


def router() -> Router:
    """The provider's routes, to mount at /minimax."""
    return Router(
        routes=[
            Route("/v1/image_generation", media.image_generation, methods=["POST"]),
            Route("/v1/video_generation", media.video_generation, methods=["POST"]),
            Route("/v1/query/video_generation", media.query_video, methods=["GET"]),
            Route("/v1/files/retrieve", media.retrieve_file, methods=["GET"]),
            Route("/v1/music_generation", music.music_generation, methods=["POST"]),
            Route("/v1/lyrics_generation", music.lyrics_generation, methods=["POST"]),
            Route("/v1/music_cover_preprocess", music.cover_preprocess, methods=["POST"]),
        ]
    )
