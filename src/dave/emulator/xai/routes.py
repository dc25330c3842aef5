"""x.ai Grok Imagine as the emulator speaks it: image generation and edits, video jobs and polls,
shaped after ../shared/api/xai.md. Video jobs are kept in the app's `EmulatorState` under a UUID
`request_id`. Not a client, and not lenient where that document is certain."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from ..appstate import app_config
from ..faults import EmulatorConfig, FaultRule, job_outcome
from ..files import source_bytes
from ..makers import IMAGE_MIME, image_size, make_edit, parse_ratio
from ..middleware import FAULT_SCOPE_KEY
from ..sources import keep_source
from ..tokens import XAI_VIDEO, FileSpec, VideoJob, new_request_id, trim_prompt
from ..wire import (
    ApiError,
    bearer_key,
    fail,
    file_url,
    get_int,
    get_list,
    get_object,
    get_str,
    one_of,
    read_json_object,
    reject_unknown,
    state_of,
)
from .prices import image_ticks
from .video import (
    MAX_STORED_S,
    VideoPlan,
    check_model,
    image_ref,
    plan_edit,
    plan_extension,
    plan_generation,
)

IMAGE_MODELS = frozenset(
    {
        "grok-imagine-image",
        "grok-imagine-image-quality",
        "grok-imagine-image-pro",
        "grok-imagine-image-2.0",
    }
)
IMAGE_RATIOS = (
    "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3",
    "2:1", "1:2", "19.5:9", "9:19.5", "20:9", "9:20", "auto",
)  # fmt: skip
IMAGE_FIELDS = frozenset(
    {
        "model",
        "prompt",
        "n",
        "response_format",
        "aspect_ratio",
        "resolution",
        "quality",
        "user",
        "storage_options",
    }
)
EDIT_FIELDS = IMAGE_FIELDS | {"image", "images"}
MAX_EDIT_IMAGES = 3

Handler = Callable[[Request], Awaitable[Response]]


def render_error(error: ApiError) -> JSONResponse:
    """x.ai's flat error body: `{"code": "400", "error": "..."}`."""
    body = {"code": str(error.status), "error": error.message}
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def _endpoint(handler: Handler) -> Handler:
    """Check the key first, and render any `ApiError` as x.ai's error body."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            _authorize(request)
            return await handler(request)
        except ApiError as error:
            return render_error(error)

    return wrapped


def _config(request: Request) -> EmulatorConfig:
    return app_config(request.app)


def _outcome(request: Request) -> FaultRule | None:
    """An outcome fault (failed, expired, moderated) the middleware chose for this request."""
    return request.scope.get(FAULT_SCOPE_KEY)


def _authorize(request: Request) -> None:
    key = bearer_key(request)
    if key is None:
        fail(401, "No API key provided: send 'Authorization: Bearer <key>'")
    keys = _config(request).api_keys
    if keys is not None and key not in keys:
        # x.ai's debugging page lists a wrong key under 400, and 401 for a missing one.
        fail(400, "Incorrect API key provided")


def _image_ratio_of_inputs(
    request: Request, body: dict[str, Any]
) -> tuple[list[float | None], bool]:
    """The width/height ratio of each source image (None when unknowable offline) and whether
    the request used the single `image` form."""
    single = get_object(body, "image")
    many = get_list(body, "images")
    if single is not None and many is not None:
        fail(400, "Send either image or images, not both")
    if single is None and many is None:
        fail(422, "Missing required field: image")
    refs = [single] if single is not None else many or []
    if not 1 <= len(refs) <= MAX_EDIT_IMAGES:
        fail(400, f"images must hold 1 to {MAX_EDIT_IMAGES} items, got {len(refs)}")
    ratios: list[float | None] = []
    for index, ref in enumerate(refs):
        where = "image" if single is not None else f"images[{index}]"
        size = image_ref(ref, where, state_of(request))
        ratios.append(size[0] / size[1] if size else None)
    return ratios, single is not None


async def _images(request: Request, *, edit: bool) -> Response:
    body = await read_json_object(request)
    reject_unknown(body, EDIT_FIELDS if edit else IMAGE_FIELDS)
    model = check_model(get_str(body, "model", required=True) or "", IMAGE_MODELS)
    prompt = get_str(body, "prompt", required=True) or ""
    if not prompt.strip():
        fail(400, "prompt must not be empty")
    n = get_int(body, "n")
    n = 1 if n is None else n
    if not 1 <= n <= 10:
        fail(400, f"n must be between 1 and 10, got {n}")
    response_format = get_str(body, "response_format") or "url"
    one_of(response_format, ("url", "b64_json"), "response_format")
    aspect_ratio = get_str(body, "aspect_ratio")
    one_of(aspect_ratio, IMAGE_RATIOS, "aspect_ratio")
    resolution = get_str(body, "resolution") or "1k"
    one_of(resolution, ("1k", "2k"), "resolution")
    one_of(get_str(body, "quality"), ("low", "medium", "high"), "quality")
    get_str(body, "user")
    get_object(body, "storage_options")

    ratio = parse_ratio(aspect_ratio or "auto")
    inputs = 0
    source: bytes | None = None
    if edit:
        ratios, single = _image_ratio_of_inputs(request, body)
        first = get_object(body, "image") or (get_list(body, "images") or [{}])[0]
        source = await source_bytes(str(first.get("url", "")), state_of(request))
        inputs = len(ratios)
        # One source keeps its own ratio; several follow the first unless aspect_ratio says.
        if (single or aspect_ratio is None) and ratios[0] is not None:
            ratio = ratios[0]
    width, height = image_size(ratio, resolution)

    config = _config(request)
    moderated = (fault := _outcome(request)) is not None and fault.kind == "moderated"
    expires = round(time.time() + config.url_ttl_s, 3)
    data: list[dict[str, Any]] = []
    kept = keep_source(state_of(request), source) if source and response_format == "url" else None
    for index in range(n):
        item: dict[str, Any] = {"revised_prompt": prompt, "respect_moderation": not moderated}
        if not moderated:
            item["mime_type"] = IMAGE_MIME["jpeg"]
            if response_format == "b64_json":
                raw = await asyncio.to_thread(
                    make_edit, prompt, width, height, "jpeg", index, source
                )
                item["b64_json"] = base64.b64encode(raw).decode("ascii")
            else:
                spec = FileSpec(
                    kind="image", w=width, h=height, fmt="jpeg", prompt=trim_prompt(prompt),
                    exp=expires, i=index, src=kept,
                )  # fmt: skip
                item["url"] = file_url(request, spec)
        data.append(item)
    usage = {"cost_in_usd_ticks": image_ticks(model, outputs=n, inputs=inputs)}
    return JSONResponse({"data": data, "model": model, "usage": usage})


@_endpoint
async def images_generations(request: Request) -> Response:
    return await _images(request, edit=False)


@_endpoint
async def images_edits(request: Request) -> Response:
    return await _images(request, edit=True)


def _submit(request: Request, plan: VideoPlan) -> Response:
    """Keep the job server-side and answer with its new `request_id`."""
    now = time.time()
    fault = _outcome(request)
    job = VideoJob(
        model=plan.model,
        mode=plan.mode,
        created=round(now, 3),
        # Rounded down: a job due now (video_ready_s=0) must not read as pending for the
        # fraction of a millisecond that rounding up would add.
        ready=math.floor((now + _config(request).video_ready_in(plan.prompt)) * 1000) / 1000,
        duration=plan.duration,
        res=plan.resolution,
        w=plan.width,
        h=plan.height,
        prompt=trim_prompt(plan.prompt),
        cost=plan.cost_ticks,
        outcome=job_outcome(fault),
        note=fault.message if fault is not None else None,
        storage=plan.storage,
    )
    request_id = new_request_id()
    state_of(request).save(XAI_VIDEO, request_id, job)
    return JSONResponse({"request_id": request_id})


@_endpoint
async def videos_generations(request: Request) -> Response:
    body = await read_json_object(request)
    return _submit(request, plan_generation(body, state_of(request)))


@_endpoint
async def videos_edits(request: Request) -> Response:
    body = await read_json_object(request)
    return _submit(request, plan_edit(body, state_of(request)))


@_endpoint
async def videos_extensions(request: Request) -> Response:
    body = await read_json_object(request)
    return _submit(request, plan_extension(body, state_of(request)))


@_endpoint
async def video_status(request: Request) -> Response:
    request_id = request.path_params["request_id"]
    job = state_of(request).load(XAI_VIDEO, request_id, VideoJob)
    if job is None:
        fail(404, "No video job with this request_id")
    now = time.time()
    fault = _outcome(request)
    if fault is None and now < job.ready:
        span = max(job.ready - job.created, 1e-6)
        progress = max(0, min(99, int(100 * (now - job.created) / span)))
        return JSONResponse({"status": "pending", "progress": progress}, status_code=202)
    outcome = fault.kind if fault is not None else job.outcome
    note = fault.message if fault is not None else job.note
    if outcome == "job_expired":
        return JSONResponse({"status": "expired", "model": job.model})
    if outcome == "job_failed":
        return JSONResponse(
            {
                "status": "failed",
                "model": job.model,
                "video": {"duration": 0, "respect_moderation": True},
                "error": {"code": "internal_error", "message": note or "Video generation failed"},
            }
        )
    # Whole seconds go out as integers, as in x.ai's examples.
    duration = int(job.duration) if job.duration.is_integer() else job.duration
    video: dict[str, Any] = {"duration": duration, "respect_moderation": outcome != "moderated"}
    if outcome != "moderated":
        spec = _video_file(request, job, exp=job.ready + _config(request).url_ttl_s)
        # Keyed by the job, so every poll of a done job answers the same URL.
        video["url"] = file_url(request, spec, _file_key(request_id, "url"))
        if job.storage is not None:
            video["file_output"] = _file_output(request, request_id, job)
            video["storage_error"] = None
    return JSONResponse(
        {
            "status": "done",
            "model": job.model,
            "progress": 100,
            "video": video,
            "usage": {"cost_in_usd_ticks": job.cost},
        }
    )


def _video_file(request: Request, job: VideoJob, *, exp: float) -> FileSpec:
    config = _config(request)
    return FileSpec(
        kind="video", w=job.w, h=job.h, fmt="mp4", prompt=job.prompt, exp=round(exp, 3),
        s=job.duration, fps=config.fps, size=config.video_bytes,
    )  # fmt: skip


def _file_key(request_id: str, role: str) -> str:
    return hashlib.sha256(f"{request_id}:{role}".encode()).hexdigest()[:32]


def _file_output(request: Request, request_id: str, job: VideoJob) -> dict[str, Any]:
    """`video.file_output` for a job sent with `storage_options` (xai.md §5.5): the stored file,
    and its public URL when one was asked for. A time of 0 means "does not expire"."""
    assert job.storage is not None
    options = job.storage
    expires_at = int(job.ready + options.expires_after) if options.expires_after else 0
    public_url, public_expires_at = None, 0
    if options.public:
        # A public link lives as long as asked, else as the stored file, else the longest allowed.
        lasts = options.public_expires_after or options.expires_after or MAX_STORED_S
        public_expires_at = int(job.ready + lasts)
        spec = _video_file(request, job, exp=job.ready + lasts)
        public_url = file_url(request, spec, _file_key(request_id, "public"))
    return {
        "file_id": f"file_{uuid.UUID(_file_key(request_id, 'file'))}",
        "filename": options.filename,
        "expires_at": expires_at,
        "public_url": public_url,
        "public_url_expires_at": public_expires_at,
        "public_url_error": None,
    }


def router() -> Router:
    """x.ai routes, to be mounted at `/v1`."""
    return Router(
        routes=[
            Route("/images/generations", images_generations, methods=["POST"]),
            Route("/images/edits", images_edits, methods=["POST"]),
            Route("/videos/generations", videos_generations, methods=["POST"]),
            Route("/videos/edits", videos_edits, methods=["POST"]),
            Route("/videos/extensions", videos_extensions, methods=["POST"]),
            Route("/videos/{request_id}", video_status, methods=["GET"]),
        ]
    )
