"""The emulator's media host: `GET /files/<key>.<ext>` makes and serves what the spec kept under
the key describes. Not authenticated (provider CDNs take no API key); no result bytes are kept
(an edit's source is: sources.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .makers import (
    AUDIO_MIME,
    IMAGE_MIME,
    VIDEO_MIME,
    free_box,
    make_audio,
    make_edit,
    make_image,
    make_video,
)
from .sources import kept_source
from .state import EmulatorState
from .tokens import FileSpec
from .wire import decode_data_uri, own_file, spec_from_name, state_of

# Padding goes out in pieces of this size, all views of one block of zeros.
_PAD_CHUNK = 1 << 20
_ZEROS = bytes(_PAD_CHUNK)


def _not_found() -> JSONResponse:
    return JSONResponse({"code": "404", "error": "File not found or expired"}, status_code=404)


async def make_file(spec: FileSpec, state: EmulatorState | None = None) -> tuple[bytes, str]:
    """The bytes and MIME type a spec describes; made off the event loop (encoding is CPU work).
    A video's `size` is not reached here: `serve_file` streams the padding. An edit's image is
    drawn over its source, kept in `state`."""
    if spec.kind == "video":
        raw = await asyncio.to_thread(
            make_video, spec.prompt, spec.w, spec.h, spec.s or 1.0, spec.fps or 8
        )
        return raw, VIDEO_MIME
    if spec.kind == "audio":
        raw = await asyncio.to_thread(make_audio, spec.prompt, spec.s or 1.0, spec.fmt)
        return raw, AUDIO_MIME[spec.fmt]
    source = kept_source(state, spec.src) if spec.src and state is not None else None
    if source is not None:
        raw = await asyncio.to_thread(
            make_edit, spec.prompt, spec.w, spec.h, spec.fmt, spec.i, source
        )
    else:
        raw = await asyncio.to_thread(make_image, spec.prompt, spec.w, spec.h, spec.fmt, spec.i)
    return raw, IMAGE_MIME[spec.fmt]


async def source_bytes(url: str, state: EmulatorState) -> bytes | None:
    """The bytes behind an edit's image reference when the emulator can have them: a data: URI
    decoded, or one of its own file URLs made again. Other URLs are not fetched (the emulator
    reaches no network)."""
    decoded = decode_data_uri(url, "image", "image")
    if decoded is not None:
        return decoded[1]
    spec = own_file(url, state)
    if spec is None or spec.kind != "image":
        return None
    made, _ = await make_file(spec, state)
    return made


async def _padded(raw: bytes, header: bytes, zeros: int) -> AsyncIterator[bytes | memoryview]:
    yield raw
    yield header
    block = memoryview(_ZEROS)
    while zeros > 0:
        size = min(zeros, _PAD_CHUNK)
        yield block[:size]
        zeros -= size


async def serve_file(request: Request) -> Response:
    state = state_of(request)
    spec = spec_from_name(request.path_params["name"], state)
    # Provider result URLs are temporary; an expired one is simply gone.
    if spec is None or spec.exp < time.time():
        return _not_found()
    raw, mime = await make_file(spec, state)
    padding = (spec.size or 0) - len(raw) if spec.kind == "video" else 0
    if padding < 16:  # too little room for a box: serve the video as made
        return Response(raw, media_type=mime)
    header = free_box(padding)
    return StreamingResponse(
        _padded(raw, header, padding - len(header)),
        media_type=mime,
        headers={"content-length": str(len(raw) + padding)},
    )


def routes() -> list[Route]:
    return [Route("/files/{name}", serve_file, methods=["GET"])]
