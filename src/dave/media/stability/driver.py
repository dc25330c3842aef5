"""Turns a checked Stability request into one multipart call of StabilityClient, and polls the
async routes. Not for checking requests (stability_rules.py) nor for wire details
(dave.providers.stability).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from dave.core.errors import InvalidRequest
from dave.media.driver_protocol import ClientDriver, Send
from dave.media.requests import (
    ControlRequest,
    EditRequest,
    ImageRequest,
    MusicRequest,
    Request,
    UpscaleRequest,
)
from dave.media.sources import SourceMedium, check_source
from dave.media.stability.options import ControlOptions, ImageOptions, MusicOptions
from dave.media.stability.routes import ROUTES, SD3_MODELS, audio_path
from dave.providers.base import Status
from dave.providers.stability import StabilityClient, Upload

#: Request field → wire field where the names differ (§4–§6).
_WIRE_NAMES = {
    "style": "style_preset",
    "light_direction": "light_source_direction",
    "light_strength": "light_source_strength",
    "preserve_subject": "preserve_original_subject",
    "background_depth": "original_background_depth",
    "keep_background": "keep_original_background",
}
#: Request fields that steer dave, not the wire.
_NOT_WIRE = frozenset({"n", "response_format"})
#: Source fields: sent as files, never as text.
_SOURCES = frozenset(
    {"image", "images", "mask", "background_reference", "light_reference", "style_image"}
    | {"reference"}
)
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_EXTENSIONS |= {"audio/mpeg": "mp3", "audio/wav": "wav"}


class StabilityDriver(ClientDriver[StabilityClient]):
    """Stability: most routes answer with the result; creative upscale, relight and Stable
    Audio 3 answer a job id to poll."""

    provider = "stability"
    client_class = StabilityClient

    async def prepare(self, request: Request) -> Send:
        """Reads every source to bytes now, so a vanished file fails before anything is sent."""
        path, fields, sources = _plan(request)
        files = await asyncio.to_thread(_read_all, sources)
        json_answer = getattr(request, "response_format", None) in ("b64_json", "inline")
        return lambda: self.client.post(path, fields, files, json_answer=json_answer)

    async def status(self, kind: str, provider_job_id: str) -> Status:
        return await self.client.result("audio" if kind == "music" else "image", provider_job_id)


def _plan(request: Request) -> tuple[str, dict[str, Any], dict[str, tuple[str, SourceMedium]]]:
    """(path, text fields, wire name → (source, medium)) for a validated request."""
    model = request.model or ""
    route = ROUTES.get(model)
    if route is None:
        raise InvalidRequest(f"stability has no route for model {model!r}")
    fields: dict[str, Any] = {}
    for name in sorted(route.fields - _NOT_WIRE - _SOURCES):
        value = getattr(request, name, None)
        if value is None or value == "":
            continue
        if name == "search":
            name = "select_prompt" if model == "search-and-recolor" else "search_prompt"
        fields[_WIRE_NAMES.get(name, name)] = value
    sources: dict[str, tuple[str, SourceMedium]] = {}
    if isinstance(request, EditRequest):
        main = "subject_image" if model == "replace-background-and-relight" else "image"
        sources[main] = (request.images[0], "image")
        for name in ("mask", "background_reference", "light_reference"):
            if getattr(request, name) is not None:
                sources[name] = (getattr(request, name), "image")
    elif isinstance(request, UpscaleRequest):
        sources["image"] = (request.image, "image")
    elif isinstance(request, ImageRequest) and (init := ImageOptions.of(request).image) is not None:
        sources["image"] = (init, "image")
    elif isinstance(request, ControlRequest):
        style_image = ControlOptions.of(request).style_image
        sources["init_image" if style_image else "image"] = (request.image, "image")
        if style_image:
            sources["style_image"] = (style_image, "image")
    path = route.path
    if model in SD3_MODELS:
        fields["model"] = model
        if isinstance(request, ImageRequest) and "image" in sources:  # image-to-image
            fields["mode"] = "image-to-image"
    if isinstance(request, MusicRequest):
        path, mode = _audio_route(request)
        if not (mode == "inpaint" and model == "stable-audio-2.5"):
            fields["model"] = model  # 2.5's inpaint route takes no model field
        if request.reference is not None:
            sources["audio"] = (request.reference, "audio")
    return path, fields, sources


def _audio_route(request: MusicRequest) -> tuple[str, str]:
    opts = MusicOptions.of(request)
    if opts.mask_start is not None or opts.mask_end is not None:
        mode = "inpaint"
    elif request.reference is not None:
        mode = "audio-to-audio"
    else:
        mode = "text-to-audio"
    return audio_path(request.model or "", mode), mode


def _read_all(sources: dict[str, tuple[str, SourceMedium]]) -> dict[str, Upload]:
    """Each source as (file name, bytes, media type), checked again: it may have changed."""
    files: dict[str, Upload] = {}
    for wire_name, (value, medium) in sources.items():
        source = check_source(value, medium, field=wire_name)
        if source.kind == "file":
            assert source.path is not None
            data = source.path.read_bytes()
        elif source.kind == "data":
            data = base64.b64decode("".join(source.value.split(",", 1)[1].split()))
        else:
            raise InvalidRequest(f"{wire_name}: stability takes uploaded files, not URLs")
        mime = source.mime or "application/octet-stream"
        files[wire_name] = (f"{wire_name}.{_EXTENSIONS.get(mime, 'bin')}", data, mime)
    return files


#: The driver the registry opens for this provider.
DRIVER = StabilityDriver
