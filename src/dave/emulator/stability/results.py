"""Stability's async jobs in the emulator: 64-hex-character generation ids that carry the whole
job (stateless, so another process can poll them), and the two results routes. Not the routes
that start jobs (image.py, edit.py, audio.py)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import struct
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..faults import OutcomeKind, job_outcome
from ..makers import AUDIO_MIME, IMAGE_MIME, make_audio
from ..wire import bearer_key
from .picture import render
from .wire import (
    StabilityError,
    config,
    endpoint,
    media_answer,
    outcome,
    wants_json,
)

#: The async routes, by the one-byte code a generation id carries.
ASYNC_ROUTES = (
    "upscale-creative",
    "replace-background-and-relight",
    "stable-audio-3/text-to-audio",
    "stable-audio-3/audio-to-audio",
    "stable-audio-3/inpaint",
)
Format = Literal["png", "jpeg", "webp", "mp3", "wav"]
FORMATS: tuple[Format, ...] = ("png", "jpeg", "webp", "mp3", "wav")
OUTCOMES: tuple[OutcomeKind | None, ...] = (None, "job_failed", "job_expired", "moderated")
# created f64, ready-in f32, width, height u16, route, format, outcome u8, seed u32,
# duration in tenths of a second u16, key check u8, nonce 4 bytes: 30 bytes; 2 check bytes.
_LAYOUT = struct.Struct(">dfHHBBBIHB4s")


class GenerationJob(BaseModel):
    """Everything a poll needs, packed into the 64 hex characters of a generation id."""

    model_config = ConfigDict(frozen=True)

    route: str
    created: float
    ready_in: float
    fmt: Format
    seed: int
    width: int = 0
    height: int = 0
    seconds: float = 0.0
    outcome: OutcomeKind | None = None
    #: The first byte of the key's SHA-256: another key's poll gets 404, as Stability says.
    key_check: int = 0
    nonce: bytes = b""

    @property
    def medium(self) -> Literal["image", "audio"]:
        return "audio" if self.route.startswith("stable-audio") else "image"

    def to_id(self) -> str:
        payload = _LAYOUT.pack(
            self.created, self.ready_in, self.width, self.height,
            ASYNC_ROUTES.index(self.route), FORMATS.index(self.fmt),
            OUTCOMES.index(self.outcome), self.seed, round(self.seconds * 10),
            self.key_check, self.nonce or secrets.token_bytes(4),
        )  # fmt: skip
        return (payload + hashlib.sha256(payload).digest()[:2]).hex()

    @classmethod
    def from_id(cls, job_id: str) -> GenerationJob | None:
        """The job an id carries, or None for anything that is not one of ours."""
        try:
            raw = bytes.fromhex(job_id)
        except ValueError:
            return None
        if len(raw) != 32 or hashlib.sha256(raw[:30]).digest()[:2] != raw[30:]:
            return None
        created, ready_in, w, h, route, fmt, fault, seed, tenths, key, nonce = _LAYOUT.unpack(
            raw[:30]
        )
        try:
            return cls(
                route=ASYNC_ROUTES[route], created=created, ready_in=ready_in, fmt=FORMATS[fmt],
                seed=seed, width=w, height=h, seconds=tenths / 10, outcome=OUTCOMES[fault],
                key_check=key, nonce=nonce,
            )  # fmt: skip
        except IndexError:
            return None


def key_check(request: Request) -> int:
    return hashlib.sha256((bearer_key(request) or "").encode()).digest()[0]


def start_job(
    request: Request, route: str, fmt: str, seed: int, prompt: str, *,
    width: int = 0, height: int = 0, seconds: float = 0.0, status: int = 200,
) -> Response:  # fmt: skip
    """Answer an async POST with `{id}`: 200 for the image routes, 202 for Stable Audio 3."""
    fault = outcome(request)
    job = GenerationJob(
        route=route, created=time.time(), ready_in=config(request).video_ready_in(prompt),
        fmt=FORMATS[FORMATS.index(fmt)], seed=seed,  # the Format fmt names (ValueError if none)
        width=width, height=height, seconds=seconds,
        outcome=job_outcome(fault), key_check=key_check(request),
    )  # fmt: skip
    return JSONResponse({"id": job.to_id()}, status_code=status)


def _not_found() -> StabilityError:
    return StabilityError(404, "generation_not_found", "id: no generation with this id")


async def _result(request: Request, medium: Literal["image", "audio"]) -> Response:
    job_id = request.path_params["id"]
    job = GenerationJob.from_id(job_id)
    if job is None or job.medium != medium or job.key_check != key_check(request):
        raise _not_found()
    as_json = wants_json(request, medium, results=True)
    fault = outcome(request)
    if fault is None and time.time() < job.created + job.ready_in:
        return JSONResponse({"id": job_id, "status": "in-progress"}, status_code=202)
    kind = fault.kind if fault is not None else job.outcome
    if kind == "job_expired":
        raise _not_found()
    if kind == "job_failed":
        message = (fault.message if fault is not None else None) or "the generation failed"
        raise StabilityError(500, "internal_error", message)
    moderated = kind == "moderated"
    reason = "CONTENT_FILTERED" if moderated else "SUCCESS"
    if medium == "audio":
        data = await asyncio.to_thread(make_audio, f"{job.route} {job.seed}", job.seconds, job.fmt)
        mime = AUDIO_MIME[job.fmt]
    else:
        caption = f"{job.route} seed {job.seed}"
        data = await asyncio.to_thread(
            render, caption, job.width, job.height, job.fmt, blurred=moderated
        )
        mime = IMAGE_MIME[job.fmt]
    return media_answer(data, mime, job.seed, as_json=as_json, medium=medium, reason=reason)


@endpoint
async def image_result(request: Request) -> Response:
    return await _result(request, "image")


@endpoint
async def audio_result(request: Request) -> Response:
    return await _result(request, "audio")
