"""The emulator's MiniMax images and Hailuo videos (minimax.md §2–§3): image_generation, video
tasks kept in the app's `EmulatorState` under a digit-string `task_id`, their query, and
files/retrieve with an int64 `file_id` that carries what the download needs. Not the key check
or the envelope (`wire.py`), nor music.
"""

from __future__ import annotations

import asyncio
import base64
import math
import secrets
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from ..faults import job_outcome
from ..makers import make_image, make_video
from ..state import EmulatorState
from ..tokens import MINIMAX_TASK, FileSpec, new_task_id, trim_prompt
from ..wire import (
    file_url,
    get_bool,
    get_int,
    get_list,
    get_object,
    get_str,
    image_size_of,
    read_json_object,
    reject_unknown,
    state_of,
)
from .wire import MinimaxError, answer, config_of, endpoint, invalid, outcome

# --- images (§2) ---------------------------------------------------------------------------

IMAGE_MODELS = ("image-01", "image-01-live")
#: Each aspect ratio's documented output size.
IMAGE_SIZES = {
    "1:1": (1024, 1024),
    "16:9": (1280, 720),
    "4:3": (1152, 864),
    "3:2": (1248, 832),
    "2:3": (832, 1248),
    "3:4": (864, 1152),
    "9:16": (720, 1280),
    "21:9": (1344, 576),
}
STYLE_TYPES = ("漫画", "元气", "中世纪", "水彩")
IMAGE_FIELDS = frozenset(
    {"model", "prompt", "aspect_ratio", "width", "height", "response_format", "n", "seed"}
    | {"prompt_optimizer", "aigc_watermark", "style", "subject_reference"}
)


def _one_of(value: Any, choices: tuple[Any, ...], field: str) -> None:
    if value not in choices:
        shown = ", ".join(str(choice) for choice in choices)
        raise invalid(f"{field} {value!r} is not one of {shown}")


def _image_subject(items: list[Any], state: EmulatorState) -> None:
    # The i2i page was not fully readable [C]: `image_file` (AI SDK) or `image_url` (mmx).
    if len(items) != 1:
        raise invalid(f"subject_reference must hold exactly 1 item, got {len(items)}")
    item = items[0]
    if not isinstance(item, dict):
        raise invalid("subject_reference[0] must be an object")
    reject_unknown(item, {"type", "image_file", "image_url"}, prefix="subject_reference[0].")
    if item.get("type") != "character":
        raise invalid("subject_reference[0].type must be 'character'")
    url = get_str(item, "image_file") or get_str(item, "image_url")
    if not url:
        raise invalid("subject_reference[0].image_file is required")
    image_size_of(url, "subject_reference[0].image_file", state)


def _image_size(body: dict[str, Any], model: str) -> tuple[int, int]:
    ratio = get_str(body, "aspect_ratio")
    if ratio is not None:
        _one_of(ratio, tuple(IMAGE_SIZES) if model == "image-01" else tuple(IMAGE_SIZES)[:-1],
                "aspect_ratio")  # fmt: skip
    width, height = get_int(body, "width"), get_int(body, "height")
    if (width is None) != (height is None):
        raise invalid("width and height must be sent together")
    if width is not None and height is not None:
        if model != "image-01":
            raise invalid(f"width and height are not supported by {model}")
        for name, value in (("width", width), ("height", height)):
            if not 512 <= value <= 2048 or value % 8:
                raise invalid(f"{name} must be 512-2048 and a multiple of 8, got {value}")
        if ratio is None:  # aspect_ratio wins when both are sent
            return width, height
    return IMAGE_SIZES[ratio or "1:1"]


@endpoint
async def image_generation(request: Request) -> Response:
    body = await read_json_object(request)
    reject_unknown(body, IMAGE_FIELDS)
    model = get_str(body, "model", required=True)
    _one_of(model, IMAGE_MODELS, "model")
    prompt = get_str(body, "prompt", required=True) or ""
    if not prompt.strip() or len(prompt) > 1500:
        raise invalid(f"prompt must be 1-1500 characters, got {len(prompt.strip())}")
    width, height = _image_size(body, model or "")
    fmt = get_str(body, "response_format") or "url"
    _one_of(fmt, ("url", "base64"), "response_format")
    n = get_int(body, "n")
    n = 1 if n is None else n
    if not 1 <= n <= 9:
        raise invalid(f"n must be 1-9, got {n}")
    get_int(body, "seed")
    get_bool(body, "prompt_optimizer")
    get_bool(body, "aigc_watermark")
    style = get_object(body, "style")
    if style is not None:
        reject_unknown(style, {"style_type", "style_weight"}, prefix="style.")
        _one_of(style.get("style_type"), STYLE_TYPES, "style.style_type")
        weight = style.get("style_weight", 0.8)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise invalid("style.style_weight must be in (0, 1]")
    subject = get_list(body, "subject_reference")
    if subject is not None:
        _image_subject(subject, state_of(request))

    fault = outcome(request)
    # A moderated answer withholds most images (all of a single one), as failed_count says.
    withheld = math.ceil(n / 2) if fault is not None and fault.kind == "moderated" else 0
    made = n - withheld
    expires = round(time.time() + config_of(request).url_ttl_s, 3)
    kept = trim_prompt(prompt)
    items: list[str] = []
    for index in range(made):
        if fmt == "base64":
            raw = await asyncio.to_thread(make_image, kept, width, height, "jpeg", index)
            items.append(base64.b64encode(raw).decode("ascii"))
        else:
            spec = FileSpec(kind="image", w=width, h=height, fmt="jpeg", prompt=kept,
                            exp=expires, i=index)  # fmt: skip
            items.append(file_url(request, spec))
    key = "image_base64" if fmt == "base64" else "image_urls"
    # The document's example prints the counts as strings; so does the emulator.
    return answer(
        {
            "id": secrets.token_hex(12),
            "data": {key: items},
            "metadata": {"success_count": str(made), "failed_count": str(withheld)},
        }
    )


# --- video (§3) ----------------------------------------------------------------------------

Mode = Literal["t2v", "i2v", "fl2v", "s2v"]
VIDEO_MODELS = (
    "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-02", "T2V-01-Director",
    "T2V-01", "I2V-01-Director", "I2V-01-live", "I2V-01", "S2V-01",
)  # fmt: skip
MODEL_MODES: dict[str, tuple[Mode, ...]] = {
    "MiniMax-Hailuo-2.3": ("t2v", "i2v"),
    "MiniMax-Hailuo-2.3-Fast": ("i2v",),
    "MiniMax-Hailuo-02": ("t2v", "i2v", "fl2v"),
    "T2V-01-Director": ("t2v",),
    "T2V-01": ("t2v",),
    "I2V-01-Director": ("i2v",),
    "I2V-01-live": ("i2v",),
    "I2V-01": ("i2v",),
    "S2V-01": ("s2v",),
}
_HAILUO: dict[str, tuple[int, ...]] = {"768P": (6, 10), "1080P": (6,)}
# The 01 series' 1080P row is uncertain [I]: accepted, not required.
_SERIES_01: dict[str, tuple[int, ...]] = {"720P": (6,), "1080P": (6,)}
RESOLUTIONS = ("512P", "720P", "768P", "1080P")
LANDSCAPE = {"512P": (912, 512), "720P": (1280, 720), "768P": (1366, 768), "1080P": (1920, 1080)}
VIDEO_FIELDS = frozenset(
    {"model", "prompt", "prompt_optimizer", "fast_pretreatment", "duration", "resolution"}
    | {"first_frame_image", "last_frame_image", "subject_reference", "callback_url"}
    | {"aigc_watermark"}
)
ORIENTATIONS = ("landscape", "portrait", "square")


def matrix(model: str, mode: Mode) -> dict[str, tuple[int, ...]]:
    """Seconds allowed at each resolution; the first resolution is the default."""
    if model == "MiniMax-Hailuo-02" and mode == "i2v":
        return {"768P": (6, 10), "512P": (6, 10), "1080P": (6,)}
    return _HAILUO if model.startswith("MiniMax-Hailuo") else _SERIES_01


class MinimaxTask(BaseModel):
    """Everything a query of a video task needs, kept under its `task_id`."""

    model_config = ConfigDict(extra="ignore")

    model: str
    mode: Mode
    created: float
    ready: float
    duration: int
    res: str
    orient: int
    prompt: str
    outcome: Literal["job_failed", "job_expired", "moderated"] | None = None
    note: str | None = None


def _frame(url_holder: dict[str, Any], key: str, state: EmulatorState) -> tuple[int, int] | None:
    url = get_str(url_holder, key)
    if url is None:
        return None
    size = image_size_of(url, key, state)
    if size is not None:
        width, height = size
        if min(width, height) <= 300 or not 0.4 <= width / height <= 2.5:
            raise invalid(f"{key} must have a short side over 300 px and an aspect of 2:5-5:2")
    return size


def _video_subject(items: list[Any], state: EmulatorState) -> None:
    if len(items) != 1:
        raise invalid(f"subject_reference must hold exactly 1 item, got {len(items)}")
    item = items[0]
    if not isinstance(item, dict):
        raise invalid("subject_reference[0] must be an object")
    reject_unknown(item, {"type", "image"}, prefix="subject_reference[0].")
    if item.get("type") != "character":
        raise invalid("subject_reference[0].type must be 'character'")
    images = get_list(item, "image")
    if not images or len(images) != 1 or not isinstance(images[0], str):
        raise invalid("subject_reference[0].image must be a list of one image URL")
    image_size_of(images[0], "subject_reference[0].image[0]", state)


def _orientation(size: tuple[int, int] | None) -> int:
    if size is None:
        return 0
    ratio = size[0] / size[1]
    return 0 if ratio > 1.1 else 1 if ratio < 0.9 else 2


def _plan(body: dict[str, Any], state: EmulatorState) -> tuple[str, Mode, int, str, int, str]:
    reject_unknown(body, VIDEO_FIELDS)
    model = get_str(body, "model", required=True) or ""
    _one_of(model, VIDEO_MODELS, "model")
    subject = get_list(body, "subject_reference")
    first = _frame(body, "first_frame_image", state)
    _frame(body, "last_frame_image", state)
    has_last = body.get("last_frame_image") is not None
    if subject is not None:
        if "first_frame_image" in body or "last_frame_image" in body:
            raise invalid("subject_reference cannot be combined with frame images")
        _video_subject(subject, state)
    mode: Mode = "s2v" if subject is not None else "fl2v" if has_last else (
        "i2v" if "first_frame_image" in body else "t2v")  # fmt: skip
    if mode not in MODEL_MODES[model]:
        raise invalid(f"model {model} does not support {mode}")
    prompt = get_str(body, "prompt") or ""
    if len(prompt) > 2000:
        raise invalid(f"prompt must be at most 2000 characters, got {len(prompt)}")
    if mode in ("t2v", "s2v") and not prompt.strip():
        raise invalid("prompt is required")
    get_bool(body, "prompt_optimizer")
    get_bool(body, "aigc_watermark")
    get_str(body, "callback_url")
    if get_bool(body, "fast_pretreatment") is not None and not model.startswith("MiniMax-"):
        raise invalid(f"fast_pretreatment is not supported by {model}")
    allowed = matrix(model, mode)
    resolution = get_str(body, "resolution") or next(iter(allowed))
    _one_of(resolution, RESOLUTIONS, "resolution")
    if resolution not in allowed:
        raise invalid(f"resolution {resolution} is not supported by {model} {mode}")
    duration = get_int(body, "duration")
    duration = 6 if duration is None else duration
    if duration not in allowed[resolution]:
        raise invalid(f"duration {duration} is not supported at {resolution} by {model}")
    return model, mode, duration, resolution, _orientation(first), prompt


@endpoint
async def video_generation(request: Request) -> Response:
    body = await read_json_object(request)
    model, mode, duration, resolution, orient, prompt = _plan(body, state_of(request))
    now, fault = time.time(), outcome(request)
    task = MinimaxTask(
        model=model, mode=mode, created=round(now, 3),
        # Rounded down, as x.ai's: a job due now must not read as still processing.
        ready=math.floor((now + config_of(request).video_ready_in(prompt)) * 1000) / 1000,
        duration=duration, res=resolution, orient=orient, prompt=trim_prompt(prompt),
        outcome=job_outcome(fault),
        note=fault.message if fault is not None else None,
    )  # fmt: skip
    task_id = new_task_id()
    state_of(request).save(MINIMAX_TASK, task_id, task)
    return answer({"task_id": task_id})


# --- file ids: an int64 that carries what the file is ----------------------------------------
# marker (3 bits) | created s (32) | model (4) | resolution (2) | seconds (4) | orientation (2)
# | expired (1) | random (15) = 63 bits, so the id is a positive int64 as /v1/files says.

_MARKER = 0b101


def pack_file_id(task: MinimaxTask, *, expired: bool) -> int:
    fields = (
        (_MARKER, 3), (int(task.created) & 0xFFFFFFFF, 32), (VIDEO_MODELS.index(task.model), 4),
        (RESOLUTIONS.index(task.res), 2), (task.duration, 4), (task.orient, 2),
        (int(expired), 1), (secrets.randbits(15), 15),
    )  # fmt: skip
    value = 0
    for field, bits in fields:
        value = (value << bits) | field
    return value


def unpack_file_id(text: str) -> dict[str, Any] | None:
    if not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    parts = []
    for bits in (15, 1, 2, 4, 2, 4, 32, 3):
        parts.append(value & ((1 << bits) - 1))
        value >>= bits
    _, expired, orient, seconds, res, model, created, marker = parts
    if value or marker != _MARKER or model >= len(VIDEO_MODELS) or orient >= len(ORIENTATIONS):
        return None
    return {"model": VIDEO_MODELS[model], "res": RESOLUTIONS[res], "seconds": seconds,
            "orient": orient, "expired": bool(expired), "created": created}  # fmt: skip


def video_size(resolution: str, orient: int) -> tuple[int, int]:
    width, height = LANDSCAPE[resolution]
    return (width, height) if orient == 0 else (height, width) if orient == 1 else (height, height)


@endpoint
async def query_video(request: Request) -> Response:
    task_id = request.query_params.get("task_id", "")
    task = state_of(request).load(MINIMAX_TASK, task_id, MinimaxTask) if task_id else None
    if task is None:
        raise invalid("task_id not found")
    now, fault = time.time(), outcome(request)
    if fault is None and now < task.ready:
        share = (now - task.created) / max(task.ready - task.created, 1e-6)
        word = "Preparing" if share < 0.25 else "Queueing" if share < 0.5 else "Processing"
        return answer({"task_id": task_id, "status": word})
    ended = fault.kind if fault is not None else task.outcome
    note = fault.message if fault is not None else task.note
    if ended == "moderated":
        base = {"status_code": 1027, "status_msg": "output video is sensitive"}
        return answer({"task_id": task_id, "status": "Fail", "base_resp": base})
    if ended == "job_failed":
        base = {"status_code": 1000, "status_msg": note or "video generation failed"}
        return answer({"task_id": task_id, "status": "Fail", "base_resp": base})
    width, height = video_size(task.res, task.orient)
    file_id = pack_file_id(task, expired=ended == "job_expired")
    return answer(
        {
            "task_id": task_id,
            "status": "Success",
            "file_id": str(file_id),  # a string here, an int64 in /v1/files
            "video_width": width,
            "video_height": height,
        }
    )


@endpoint
async def retrieve_file(request: Request) -> Response:
    found = unpack_file_id(request.query_params.get("file_id", ""))
    if found is None:
        raise invalid("file_id not found")
    fault = outcome(request)
    if found["expired"] or (fault is not None and fault.kind == "job_expired"):
        # Generated files are kept for a while only; a gone one is a plain 404.
        raise MinimaxError(2013, "file not found: it has expired", http=404)
    config = config_of(request)
    width, height = video_size(found["res"], found["orient"])
    caption = f"{found['model']} {found['res']} {found['seconds']} s"
    spec = FileSpec(
        kind="video", w=width, h=height, fmt="mp4", prompt=caption,
        exp=round(time.time() + config.url_ttl_s, 3), s=float(found["seconds"]),
        fps=config.fps, size=config.video_bytes,
    )  # fmt: skip
    size = config.video_bytes
    if size is None:  # the download makes the same bytes again (from the makers' cache)
        raw = await asyncio.to_thread(
            make_video, caption, width, height, spec.s or 6.0, spec.fps or 8
        )
        size = len(raw)
    file = {
        "file_id": int(request.query_params["file_id"]),
        "bytes": size,
        "created_at": found["created"],
        "filename": "output.mp4",
        "purpose": "video_generation",
        "download_url": file_url(request, spec),
    }
    return answer({"file": file})
