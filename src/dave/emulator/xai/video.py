"""Validation and planning of x.ai video submissions (generation, edit, extension) per xai.md §5.
Not the HTTP side: the routes (`routes.py`) keep a `VideoPlan` as a job under a new `request_id`."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal

from ..makers import parse_ratio, probe_video, video_size
from ..state import EmulatorState
from ..tokens import StorageOptions
from ..wire import (
    check_http_url,
    decode_data_uri,
    fail,
    get_bool,
    get_int,
    get_list,
    get_number,
    get_object,
    get_str,
    image_size_of,
    one_of,
    own_file,
    reject_unknown,
)
from .prices import video_ticks

BASE_MODEL = "grok-imagine-video"
MODEL_15 = "grok-imagine-video-1.5"
VIDEO_MODELS = frozenset({BASE_MODEL, MODEL_15})
VIDEO_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")
RESOLUTIONS = ("480p", "720p", "1080p")
MAX_PROMPT = 4096
GENERATION_FIELDS = frozenset(
    {
        "model",
        "prompt",
        "duration",
        "aspect_ratio",
        "resolution",
        "image",
        "reference_images",
        "reference_audios",
        "last_frame",
        "keyframes",
        "generate_audio",
        "storage_options",
        "user",
    }
)
ONLY_ON_15 = ("last_frame", "keyframes", "reference_audios")
# Edits keep the input's duration, ratio and (capped) resolution, so those fields are refused.
EDIT_FIELDS = frozenset({"model", "prompt", "video", "user", "storage_options"})
EXTENSION_FIELDS = frozenset({"model", "prompt", "video", "duration", "user", "storage_options"})
MAX_EDIT_INPUT_S = 8.7
# storage_options lifetimes (xai.md §5.2): a stored file up to 30 days, a public link 1 h-30 days.
MAX_STORED_S = 2_592_000
MIN_PUBLIC_S = 3600
# The length assumed for an input video the emulator cannot look into (a foreign URL).
ASSUMED_INPUT_S = 6.0

Mode = Literal["t2v", "i2v", "r2v", "edit", "extend"]


@dataclass(frozen=True)
class VideoPlan:
    """A validated video request: what will be made and what it costs."""

    model: str
    mode: Mode
    prompt: str
    duration: float
    resolution: str
    width: int
    height: int
    cost_ticks: int
    storage: StorageOptions | None = None


def check_model(model: str, allowed: frozenset[str]) -> str:
    if model not in allowed:
        fail(404, f"The model {model} does not exist or your team does not have access to it")
    return model


def image_ref(ref: Any, where: str, state: EmulatorState) -> tuple[int, int] | None:
    """Check an `{url, type?}` image object; its pixel size when knowable offline."""
    if not isinstance(ref, dict):
        fail(422, f"{where} must be an object with a url")
    reject_unknown(ref, {"url", "type"}, prefix=f"{where}.")
    url = get_str(ref, "url", required=True) or ""
    kind = get_str(ref, "type")
    if kind is not None and kind != "image_url":
        fail(400, f"{where}.type must be 'image_url'")
    return image_size_of(url, f"{where}.url", state)


def _prompt(body: dict[str, Any], *, may_be_empty: bool = False) -> str:
    prompt = get_str(body, "prompt", required=True) or ""
    if len(prompt) > MAX_PROMPT:
        fail(400, f"prompt is {len(prompt)} characters long; the limit is {MAX_PROMPT}")
    if not prompt.strip() and not may_be_empty:
        fail(400, "prompt must not be empty")
    return prompt


def _model(body: dict[str, Any]) -> str:
    return check_model(get_str(body, "model") or BASE_MODEL, VIDEO_MODELS)


def _nearest_ratio(ratio: float) -> str:
    return min(VIDEO_RATIOS, key=lambda name: abs(math.log(parse_ratio(name) / ratio)))


def _check_keyframes(items: list[Any], duration: int, state: EmulatorState) -> None:
    if len(items) > 4:
        fail(400, f"keyframes holds {len(items)} items; the limit is 4")
    times: list[float] = []
    for index, item in enumerate(items):
        where = f"keyframes[{index}]"
        if not isinstance(item, dict):
            fail(422, f"{where} must be an object with image and timestamp_s")
        reject_unknown(item, {"image", "timestamp_s"}, prefix=f"{where}.")
        image = get_object(item, "image")
        if image is None:
            fail(422, f"Missing required field: {where}.image")
        image_ref(image, f"{where}.image", state)
        stamp = get_number(item, "timestamp_s")
        if stamp is None:
            fail(422, f"Missing required field: {where}.timestamp_s")
        if not 0 < stamp < duration:
            fail(400, f"{where}.timestamp_s must lie strictly between 0 and {duration}")
        times.append(stamp)
    times.sort()
    for earlier, later in itertools.pairwise(times):
        # A small tolerance, so 1/3 written as 0.3333 is not refused.
        if later - earlier < 1 / 3 - 1e-3:
            fail(400, "keyframes must be at least 1/3 s apart")


def _check_reference_audios(items: list[Any]) -> None:
    if not 1 <= len(items) <= 3:
        fail(400, f"reference_audios must hold 1 to 3 items, got {len(items)}")
    for index, item in enumerate(items):
        where = f"reference_audios[{index}]"
        if not isinstance(item, dict):
            fail(422, f"{where} must be an object with voice_id or url")
        reject_unknown(item, {"voice_id", "url"}, prefix=f"{where}.")
        if (get_str(item, "voice_id") is None) == (get_str(item, "url") is None):
            fail(400, f"{where} needs exactly one of voice_id or url")


def _seconds_in(holder: dict[str, Any], where: str, low: int) -> int | None:
    value = get_int(holder, "expires_after")
    if value is not None and not low <= value <= MAX_STORED_S:
        fail(400, f"{where}.expires_after must be between {low} and {MAX_STORED_S} seconds")
    return value


def storage_options(body: dict[str, Any]) -> StorageOptions | None:
    """Check `storage_options: {filename, expires_after?, public_url?: bool | {expires_after}}`
    (xai.md §5.2)."""
    options = get_object(body, "storage_options")
    if options is None:
        return None
    reject_unknown(options, {"filename", "expires_after", "public_url"}, "storage_options.")
    filename = get_str(options, "filename")
    if not filename:
        fail(422, "Missing required field: storage_options.filename")
    expires_after = _seconds_in(options, "storage_options", 1)
    public = options.get("public_url")
    public_expires_after = None
    if isinstance(public, dict):
        reject_unknown(public, {"expires_after"}, "storage_options.public_url.")
        public_expires_after = _seconds_in(public, "storage_options.public_url", MIN_PUBLIC_S)
    elif public is not None and not isinstance(public, bool):
        fail(422, "Field storage_options.public_url must be a boolean or an object")
    return StorageOptions(
        filename=filename, expires_after=expires_after,
        public=bool(public), public_expires_after=public_expires_after,
    )  # fmt: skip


def plan_generation(body: dict[str, Any], state: EmulatorState) -> VideoPlan:
    """Text-, image- or reference-to-video, decided by which inputs are present."""
    reject_unknown(body, GENERATION_FIELDS)
    model = _model(body)
    is_15 = model == MODEL_15
    for key in ONLY_ON_15:
        if body.get(key) is not None and not is_15:
            fail(400, f"Argument not supported on {model}: {key}")
    duration = get_int(body, "duration")
    duration = 8 if duration is None else duration
    if not 1 <= duration <= 15:
        fail(400, f"duration must be between 1 and 15 seconds, got {duration}")
    aspect_ratio = get_str(body, "aspect_ratio")
    one_of(aspect_ratio, VIDEO_RATIOS, "aspect_ratio")
    resolution = get_str(body, "resolution") or "480p"
    one_of(resolution, RESOLUTIONS, "resolution")
    get_bool(body, "generate_audio")
    storage = storage_options(body)
    get_str(body, "user")

    image = get_object(body, "image")
    references = get_list(body, "reference_images")
    if image is not None and references is not None:
        fail(400, "reference_images cannot be combined with image")
    mode: Mode = "i2v" if image is not None else "r2v" if references is not None else "t2v"
    first_frame = image_ref(image, "image", state) if image is not None else None
    pinned = image is not None
    if references is not None:
        if not 1 <= len(references) <= 7:
            fail(400, f"reference_images must hold 1 to 7 items, got {len(references)}")
        for index, ref in enumerate(references):
            image_ref(ref, f"reference_images[{index}]", state)
        if duration > 10:
            fail(400, "reference-to-video allows at most 10 seconds")
    if resolution == "1080p" and not (is_15 and mode in ("t2v", "i2v")):
        fail(400, f"1080p is only available on {MODEL_15} for text- and image-to-video")
    last_frame = get_object(body, "last_frame")
    if last_frame is not None:
        image_ref(last_frame, "last_frame", state)
        pinned = True
    keyframes = get_list(body, "keyframes")
    if keyframes is not None:
        _check_keyframes(keyframes, duration, state)
        pinned = pinned or bool(keyframes)
    audios = get_list(body, "reference_audios")
    if audios is not None:
        _check_reference_audios(audios)
    # 1.5 may animate a pinned frame with no words; reference-to-video always needs them.
    prompt = _prompt(body, may_be_empty=is_15 and pinned and mode != "r2v")

    if aspect_ratio is not None:
        ratio = aspect_ratio
    elif first_frame is not None:
        ratio = _nearest_ratio(first_frame[0] / first_frame[1])
    else:
        ratio = "16:9"
    width, height = video_size(ratio, resolution)
    stills = (
        (image is not None) + (last_frame is not None)
        + len(references or []) + len(keyframes or [])
    )  # fmt: skip
    return VideoPlan(
        model, mode, prompt, duration, resolution, width, height,
        video_ticks(model, resolution, duration, input_images=stills), storage,
    )  # fmt: skip


@dataclass(frozen=True)
class InputVideo:
    """What is known offline about a video given to an edit or extension."""

    width: int
    height: int
    seconds: float


def _input_video(body: dict[str, Any], state: EmulatorState) -> InputVideo | None:
    """Check `video: {url}`; what the video is when it can be known offline: a data URI (read
    with PyAV) or one of the emulator's own result URLs. None for other http(s) URLs."""
    ref = get_object(body, "video")
    if ref is None:
        fail(422, "Missing required field: video")
    reject_unknown(ref, {"url"}, prefix="video.")
    url = get_str(ref, "url", required=True) or ""
    decoded = decode_data_uri(url, "video", "video.url")
    if decoded is not None:
        try:
            width, height, seconds = probe_video(decoded[1])
            return InputVideo(width, height, round(seconds, 2))
        except ValueError:
            fail(400, "video.url: the data URI does not hold a readable video")
    check_http_url(url, "video.url")
    spec = own_file(url, state)
    if spec is None:
        return None
    if spec.kind != "video":
        fail(400, "video.url must point to an MP4 video")
    return InputVideo(spec.w, spec.h, spec.s or ASSUMED_INPUT_S)


def _even(value: int) -> int:
    # H.264 in yuv420p needs even sides; inputs of any size are accepted.
    return max(16, value - value % 2)


def _output_size(source: InputVideo | None) -> tuple[str, int, int]:
    """Resolution and size of an edit or extension: the input's, capped at 720p."""
    if source is None:
        return "480p", *video_size("16:9", "480p")
    short = min(source.width, source.height)
    size = _even(source.width), _even(source.height)
    if short <= 480:
        return "480p", *size
    if short <= 720:
        return "720p", *size
    return "720p", *video_size(source.width / source.height, "720p")


def plan_edit(body: dict[str, Any], state: EmulatorState) -> VideoPlan:
    reject_unknown(body, EDIT_FIELDS)
    model = _model(body)
    prompt = _prompt(body)
    get_str(body, "user")
    storage = storage_options(body)
    source = _input_video(body, state)
    seconds = source.seconds if source is not None else ASSUMED_INPUT_S
    if seconds > MAX_EDIT_INPUT_S:
        fail(400, f"The input video is {seconds:g} s long; edits take at most {MAX_EDIT_INPUT_S} s")
    resolution, width, height = _output_size(source)
    return VideoPlan(
        model, "edit", prompt, seconds, resolution, width, height,
        video_ticks(model, resolution, seconds), storage,
    )  # fmt: skip


def plan_extension(body: dict[str, Any], state: EmulatorState) -> VideoPlan:
    reject_unknown(body, EXTENSION_FIELDS)
    model = _model(body)
    prompt = _prompt(body, may_be_empty=True)
    get_str(body, "user")
    storage = storage_options(body)
    added = get_int(body, "duration")
    added = 6 if added is None else added
    if not 2 <= added <= 10:
        fail(400, f"duration must be between 2 and 10 seconds, got {added}")
    source = _input_video(body, state)
    seconds = source.seconds if source is not None else ASSUMED_INPUT_S
    if not 2 <= seconds <= 15:
        fail(400, f"The input video is {seconds:g} s long; extensions take 2 to 15 s")
    resolution, width, height = _output_size(source)
    # The result is one clip: the input followed by the new seconds, which are billed at the
    # video price; the input's seconds at the extension's input price.
    return VideoPlan(
        model, "extend", prompt, seconds + added, resolution, width, height,
        video_ticks(model, resolution, added, input_seconds=seconds), storage,
    )  # fmt: skip
