"""The files the gallery shows: library media by asset id (Range requests for scrubbing, an
ETag that is the bytes' sha256, cached for good), thumbnails made once, and the local publish
folder.

No path here comes from the request: an asset id is looked up in the library, and the file is
served only if it lies inside the media folder. Not for JSON (api.py).
"""

from __future__ import annotations

import asyncio
import bisect
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dave.core.errors import NotFound, StoreError
from dave.server.state import ServerState
from dave.server.views import THUMB_WIDTHS
from dave.store import Asset

IMMUTABLE = "public, max-age=31536000, immutable"


def _inside(root: Path, rel: str) -> Path:
    root = root.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("the asset's file is not in the media folder")
    return path


async def _fetched(state: ServerState, asset: Asset) -> str:
    """The asset's path, its file brought into the cache first from a team library (S3)."""
    try:
        state.store.media.absolute(asset.path)
    except StoreError:  # a row naming a path out of the folder: there is nothing to serve
        raise NotFound("the asset's file is not in the media folder") from None
    await asyncio.to_thread(state.store.media.fetch, asset.path)
    return asset.path


def _asset(request: Request) -> tuple[ServerState, Asset]:
    state: ServerState = request.app.state.dave
    return state, state.store.assets.get(request.path_params["asset_id"])


def _not_modified(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match", "")
    return etag in [tag.strip() for tag in given.split(",")] or given.strip() == "*"


async def media(request: Request) -> Response:
    state, asset = _asset(request)
    path = _inside(state.store.media.root, await _fetched(state, asset))
    etag = f'"{asset.sha256}"'
    headers = {"etag": etag, "cache-control": IMMUTABLE, "x-content-type-options": "nosniff"}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=asset.mime or None, headers=headers)


def thumb_width(asked: str | None) -> int:
    """The cached width for `?w=`: the smallest kept width at least as big (the largest kept
    one for bigger asks), so the cache stays a few files per asset."""
    if asked is None or not asked.isdigit():
        return THUMB_WIDTHS[2]
    index = bisect.bisect_left(THUMB_WIDTHS, int(asked))
    return THUMB_WIDTHS[min(index, len(THUMB_WIDTHS) - 1)]


async def thumb(request: Request) -> Response:
    state, asset = _asset(request)
    width = thumb_width(request.query_params.get("w"))
    source = _inside(state.store.media.root, await _fetched(state, asset))
    made = await asyncio.to_thread(state.thumbs.get, source, asset.sha256, asset.kind, width)
    if made is None:
        raise NotFound(f"asset {asset.id} has no picture to show ({asset.kind})")
    etag = f'"{asset.sha256}-{width}"'
    headers = {"etag": etag, "cache-control": IMMUTABLE}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(made, media_type="image/jpeg", headers=headers)


def routes(state: ServerState) -> list[Route | Mount]:
    # StaticFiles refuses `..` and symlinks that lead out of its folder; it wants the folder.
    state.public_dir.mkdir(parents=True, exist_ok=True)
    public = StaticFiles(directory=state.public_dir, check_dir=False)
    return [
        Route("/media/{asset_id}", media),
        Route("/thumbs/{asset_id}", thumb),
        Mount("/public", app=public, name="public"),
    ]
