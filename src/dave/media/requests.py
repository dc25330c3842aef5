"""Provider-neutral media requests, and their validation against the capability table.

Not for wire formats (providers/) nor for running a request (the Studio): nothing here spends money.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from dave.core.errors import InvalidRequest
from dave.media.capabilities import (
    MODE_LABELS,
    ModelCapability,
    Span,
    VideoMode,
    VideoModeCapability,
    capability,
    default_model,
    estimate_cost,
    models,
)
from dave.media.sources import Source, SourceMedium, check_sources, shown_path

# --- turning pydantic's errors into one line -----------------------------------------------


def _loc(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "request"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


_PLAIN = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
}


def _one_error(error: Mapping[str, Any], known: tuple[str, ...]) -> str:
    kind, where = error["type"], _loc(tuple(error["loc"]))
    if kind == "missing":
        return f"{where} is required"
    if kind == "extra_forbidden":
        hint = f"; known fields: {', '.join(known)}" if known and "." not in where else ""
        return f"unknown field {where!r}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("tag", "nothing")
        return f"kind must be one of 'image', 'edit', 'video', got {_shown(tag)}"
    if kind == "literal_error":
        return f"{where} must be {error['ctx']['expected']}, got {_shown(error['input'])}"
    message = _PLAIN.get(kind) or str(error["msg"])[:1].lower() + str(error["msg"])[1:]
    return f"{where} {message}, got {_shown(error['input'])}"


def validation_error_line(
    err: ValidationError, known: tuple[str, ...] = (), *, drop_first: bool = False
) -> str:
    """Pydantic's many-line report as one line a person (or an agent) can act on.

    `known` lists the model's fields for an unknown-field hint; `drop_first` strips the tag a
    discriminated union puts first in each location.
    """
    lines = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])[1:] if drop_first else tuple(error["loc"])
        lines.append(_one_error({**error, "loc": loc}, known))
    extra = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "; ".join(lines[:3]) + extra


def invalid_request(err: ValidationError, known: tuple[str, ...] = ()) -> InvalidRequest:
    """The InvalidRequest that stands for a pydantic ValidationError."""
    return InvalidRequest(validation_error_line(err, known))


def _whole_number(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take True as 1
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class _Model(BaseModel):
    """Raises InvalidRequest, never ValidationError, from every way of building a model."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise invalid_request(err, tuple(type(self).model_fields)) from None

    # Marks this __init__ as pydantic's own (RootModel does the same), so nested models and
    # TypeAdapters validate straight through the core and keep each error's full location.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None


# --- the requests --------------------------------------------------------------------------


class _ImageFields(_Model):
    provider: str = "xai"
    """Who makes it: `xai` (Grok Imagine). The offline emulator stands in for it when asked."""
    model: str | None = None
    """Model id; unset uses the provider's default (x.ai: `grok-imagine-image`, $0.02/image;
    `grok-imagine-image-quality` is sharper at $0.05)."""
    prompt: str
    """What the image should show (for an edit: what to change). Plain text, not empty."""
    n: WholeNumber = 1
    """How many images to make, 1–10; each is billed."""
    aspect_ratio: str | None = None
    """Width:height such as `16:9`. x.ai: 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 2:1, 1:2,
    19.5:9, 9:19.5, 20:9, 9:20 or auto. Unset: the provider chooses (`auto`); a single-image
    edit keeps its source's ratio."""
    resolution: str | None = None
    """Output size class: `1k` (about 1 megapixel) or `2k` (about 4). Unset: 1k."""
    response_format: Literal["url", "b64_json"] = "url"
    """How the provider returns the image: a temporary `url` (dave downloads it at once) or
    inline `b64_json`. Either way the result is a local file."""
    quality: str | None = None
    """Price/quality tier, only on models that have tiers (x.ai `grok-imagine-image-2.0`: low,
    medium, high). Leave unset for every other model."""


class ImageRequest(_ImageFields):
    """Make images from a text prompt."""

    kind: Literal["image"] = "image"
    """Which request this is; always `image`."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names: none."""
        return []


class EditRequest(_ImageFields):
    """Change one to three existing images as the prompt says."""

    kind: Literal["edit"] = "edit"
    """Which request this is; always `edit`."""
    images: list[str]
    """The source images, 1–3, in the order the prompt refers to them: local file paths,
    http(s) URLs or `data:image/...;base64,` URIs (JPEG, PNG or WEBP)."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        return [(f"images[{i}]", image, "image") for i, image in enumerate(self.images)]


class Keyframe(_Model):
    """An image the video must pass through at a given moment."""

    image: str
    """The frame: a local path, an http(s) URL or a data:image URI."""
    at_s: float
    """When, in seconds from the start; after 0 and before the video's end."""


_MODE_FIELDS: tuple[tuple[str, VideoMode, str], ...] = (
    ("image", "image", "image-to-video"),
    ("references", "reference", "reference-to-video"),
    ("edit_video", "edit", "video edit"),
    ("extend_video", "extend", "video extension"),
)


class VideoRequest(_Model):
    """Make one video: from text, from a first frame, from reference images, or by editing or
    extending an existing video. The inputs given choose the mode; use at most one of image,
    references, edit_video and extend_video."""

    kind: Literal["video"] = "video"
    """Which request this is; always `video`."""
    provider: str = "xai"
    """Who makes it: `xai` (Grok Imagine)."""
    model: str | None = None
    """Model id; unset uses `grok-imagine-video` (480p/720p). `grok-imagine-video-1.5` adds
    1080p, last_frame, keyframes and reference_audios, at a higher price."""
    prompt: str
    """What happens in the video (for an edit or extension: what to change or what comes
    next). Up to 4,096 characters. May be empty on grok-imagine-video-1.5 when a frame is
    pinned with image, last_frame or keyframes."""
    image: str | None = None
    """Image-to-video: the first frame (local path, http(s) URL or data:image URI)."""
    references: list[str] = Field(default_factory=list)
    """Reference-to-video: 1–7 images of people, objects or styles to include; the prompt
    names them <IMAGE_1>, <IMAGE_2>, ... At most 10 s and 720p."""
    last_frame: str | None = None
    """The exact final frame (grok-imagine-video-1.5; text- or image-to-video only)."""
    keyframes: list[Keyframe] = Field(default_factory=list)
    """Up to 4 frames at set moments, at least 1/3 s apart (grok-imagine-video-1.5; text- or
    image-to-video only)."""
    reference_audios: list[str] = Field(default_factory=list)
    """Up to 3 preset voice ids (such as `ara`, `leo`, `eve`) the prompt names <AUDIO_0>..
    (grok-imagine-video-1.5)."""
    edit_video: str | None = None
    """Video edit: the MP4 to change (at most 8.7 s); the output keeps its length and ratio."""
    extend_video: str | None = None
    """Video extension: the MP4 (2–15 s long) to continue from its last frame."""
    duration: WholeNumber | None = None
    """Length in whole seconds: 1–15 (reference-to-video 1–10; default 8). For an extension,
    the added length, 2–10 (default 6). Not accepted for an edit. Billed per second."""
    aspect_ratio: str | None = None
    """1:1, 16:9, 9:16, 4:3, 3:4, 3:2 or 2:3. Unset: 16:9, or the first frame's ratio (a set
    ratio stretches that image). Not accepted for edits and extensions."""
    resolution: str | None = None
    """480p (default) or 720p; 1080p on grok-imagine-video-1.5 for text- and image-to-video.
    Not accepted for edits and extensions (they follow the input, at most 720p)."""
    generate_audio: bool | None = None
    """False for a silent video; unset makes sound. Not accepted for edits and extensions."""

    @property
    def mode(self) -> VideoMode:
        """text, image, reference, edit or extend; InvalidRequest if the inputs conflict."""
        given = [
            (field, mode, label)
            for field, mode, label in _MODE_FIELDS
            if getattr(self, field) not in (None, [])
        ]
        if len(given) > 1:
            names = [field for field, _, _ in given]
            both = ", ".join(names[:-1]) + f" and {names[-1]}"
            choices = ", ".join(f"{field} ({label})" for field, _, label in _MODE_FIELDS)
            raise InvalidRequest(f"{both} cannot be combined; use at most one of {choices}")
        return given[0][1] if given else "text"

    def input_image_count(self) -> int:
        """How many still images go in (first/last frame, references, keyframes)."""
        frames = (self.image is not None) + (self.last_frame is not None)
        return frames + len(self.references) + len(self.keyframes)

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        fields: list[tuple[str, str, SourceMedium]] = []
        for name, medium in (("image", "image"), ("last_frame", "image")):
            if getattr(self, name) is not None:
                fields.append((name, getattr(self, name), medium))
        fields += [(f"references[{i}]", ref, "image") for i, ref in enumerate(self.references)]
        fields += [
            (f"keyframes[{i}].image", k.image, "image") for i, k in enumerate(self.keyframes)
        ]
        for name in ("edit_video", "extend_video"):
            if getattr(self, name) is not None:
                fields.append((name, getattr(self, name), "video"))
        return fields


Request = ImageRequest | EditRequest | VideoRequest
#: Any request, told apart by `kind`: for journaled requests and tool arguments.
MediaRequest = Annotated[Request, Field(discriminator="kind")]
_REQUEST_ADAPTER: TypeAdapter[Request] = TypeAdapter(MediaRequest)
_KINDS = {"image": ImageRequest, "edit": EditRequest, "video": VideoRequest}


def parse_request(data: Mapping[str, Any] | str | bytes) -> Request:
    """A request from a dict or JSON text, chosen by its `kind` (default `image`)."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as err:
            raise InvalidRequest(f"request is not valid JSON ({err})") from None
    if not isinstance(data, Mapping):
        raise InvalidRequest(f"a request must be an object, got {type(data).__name__}")
    try:
        return _REQUEST_ADAPTER.validate_python({"kind": "image", **data})
    except ValidationError as err:
        kind = _KINDS.get(str(data.get("kind", "image")))
        known = tuple(kind.model_fields) if kind else ()
        raise InvalidRequest(validation_error_line(err, known, drop_first=True)) from None


# --- validation against the capability table -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """A request that passed validation, with what validation learned."""

    #: The request with `model` filled in, the prompt stripped and local paths made absolute.
    request: Request
    capability: ModelCapability
    #: The video mode (text, image, reference, edit, extend); None for images.
    mode: VideoMode | None
    #: Checked sources by field, such as `images[0]`, `image`, `keyframes[1].image`.
    sources: Mapping[str, Source]
    #: Things that work but deserve a word (a deprecated model, an ignored field).
    warnings: tuple[str, ...]
    estimated_cost_usd: float | None

    @property
    def kind(self) -> str:
        return self.request.kind

    @property
    def model(self) -> str:
        return self.capability.model


def validate(request: Request | Mapping[str, Any], *, check_files: bool = True) -> ResolvedRequest:
    """Check a request against its provider's capability table and fill in the model.

    Raises InvalidRequest with one line naming the field, the bad value and what is allowed.
    `check_files` opens and decodes local sources and data URIs (blocking I/O: call it from a
    thread in async code); turn it off only where the sources were checked before.
    """
    if isinstance(request, Mapping):
        request = parse_request(request)
    if not isinstance(request, ImageRequest | EditRequest | VideoRequest):
        raise InvalidRequest(f"not a media request: {type(request).__name__}")
    model = request.model or default_model(request.provider, request.kind)
    cap = capability(request.provider, model)
    if request.kind not in cap.kinds:
        others = ", ".join(models(request.provider, request.kind))
        raise InvalidRequest(f"{model} cannot make {request.kind} requests; use one of {others}")
    warnings = [f"{model} is {cap.deprecated}"] if cap.deprecated else []
    mode: VideoMode | None = None
    if isinstance(request, VideoRequest):
        mode, update = request.mode, _check_video(request, cap, warnings)
    else:
        update = _check_image(request, cap, warnings)
    sources = check_sources(request.source_fields()) if check_files else {}
    input_s = _check_input_video(request, cap, sources) if mode in ("edit", "extend") else None
    resolved = request.model_copy(update={"model": model, **update, **_absolute(request, sources)})
    return ResolvedRequest(
        request=resolved,
        capability=cap,
        mode=mode,
        sources=sources,
        warnings=tuple(warnings),
        estimated_cost_usd=estimate_cost(resolved, input_duration_s=input_s),
    )


def _prompt(prompt: str, max_chars: int, model: str, *, may_be_empty: bool = False) -> str:
    text = prompt.strip()
    if "\x00" in text:
        raise InvalidRequest(f"prompt contains a NUL character (at position {text.index(chr(0))})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InvalidRequest(
            f"prompt is not valid Unicode (lone surrogate at {err.start})"
        ) from None
    if not text and not may_be_empty:
        raise InvalidRequest("prompt is empty")
    if len(text) > max_chars:
        raise InvalidRequest(
            f"prompt is {len(text):,} characters; {model} takes at most {max_chars:,}"
        )
    return text


def _choose(
    field: str, value: str | None, allowed: tuple[str, ...], where: str, hint: str = ""
) -> str | None:
    """The value, tidied, if `allowed` has it; None if unset."""
    if value is None:
        return None
    tidy = value.strip().lower()
    if tidy not in allowed:
        choices = ", ".join(allowed)
        raise InvalidRequest(
            f"{field} {_shown(value)} is not supported by {where}; use one of {choices}{hint}"
        )
    return tidy


def _elsewhere(cap: ModelCapability, kind: str, test: Callable[[ModelCapability], object]) -> str:
    """A hint naming the provider's other models that pass `test`, or nothing."""
    names = [
        m
        for m in models(cap.provider, kind)
        if m != cap.model and test(capability(cap.provider, m))
    ]
    return f" ({' or '.join(names)} has it)" if names else ""


def _refuse(field: str, label: str, why: str) -> InvalidRequest:
    return InvalidRequest(f"{field} is not accepted for {label} ({why})")


def _check_image(
    request: ImageRequest | EditRequest, cap: ModelCapability, warnings: list[str]
) -> dict[str, Any]:
    limits, model = cap.image, cap.model
    assert limits is not None
    if request.n not in limits.n:
        raise InvalidRequest(
            f"n must be between {limits.n.lo:g} and {limits.n.hi:g}, got {request.n}"
        )
    if request.response_format not in limits.response_formats:
        formats = ", ".join(limits.response_formats)
        raise InvalidRequest(
            f"response_format {request.response_format!r} is not supported by {model}; "
            f"use one of {formats}"
        )
    if request.quality is not None and not limits.qualities:
        hint = _elsewhere(cap, request.kind, lambda row: row.image and row.image.qualities)
        raise InvalidRequest(f"quality is not supported by {model}; leave it unset{hint}")
    if isinstance(request, EditRequest):
        count, most = len(request.images), limits.max_edit_sources
        if count == 0:
            raise InvalidRequest("images: an edit needs at least 1 source image, got none")
        if count > most:
            raise InvalidRequest(f"images: at most {most} source images, got {count}")
        if count == 1 and request.aspect_ratio is not None:
            warnings.append("aspect_ratio is ignored: a single-image edit keeps its source's ratio")
    return {
        "prompt": _prompt(request.prompt, limits.max_prompt_chars, model),
        "aspect_ratio": _choose("aspect_ratio", request.aspect_ratio, limits.aspect_ratios, model),
        "resolution": _choose("resolution", request.resolution, limits.resolutions, model),
        "quality": _choose("quality", request.quality, limits.qualities, model),
    }


def _check_video(
    request: VideoRequest, cap: ModelCapability, warnings: list[str]
) -> dict[str, Any]:
    video, model, mode = cap.video, cap.model, request.mode
    assert video is not None
    limits = video.modes.get(mode)
    if limits is None:
        hint = _elsewhere(cap, "video", lambda row: row.video and mode in row.video.modes)
        raise InvalidRequest(f"{model} cannot do {MODE_LABELS[mode]}{hint}")
    label = MODE_LABELS[mode]
    where = f"{model} {label}"
    pinned = request.image is not None or request.last_frame is not None or bool(request.keyframes)
    may_be_empty = video.empty_prompt_with_frame and limits.frame_controls and pinned
    prompt = _prompt(request.prompt, video.max_prompt_chars, model, may_be_empty=may_be_empty)
    if request.duration is not None:
        if limits.duration is None:
            raise _refuse("duration", label, "the output keeps the input's length")
        if request.duration not in limits.duration:
            span = limits.duration.text("s")
            raise InvalidRequest(
                f"duration {request.duration} s is out of range for {where} ({span})"
            )
    follows = "the output follows the input video, at most 720p"
    for field, accepted, why in (
        ("resolution", limits.resolutions, follows),
        ("aspect_ratio", limits.aspect_ratios, follows),
        ("generate_audio", limits.audio_switch, "the output keeps the input's sound"),
    ):
        if getattr(request, field) is not None and not accepted:
            raise _refuse(field, label, why)
    wanted = (request.resolution or "").strip().lower()
    hint = _elsewhere(cap, "video", lambda row: wanted in _mode_of(row, mode).resolutions)
    resolution = _choose("resolution", request.resolution, limits.resolutions, where, hint)
    aspect_ratio = _choose("aspect_ratio", request.aspect_ratio, limits.aspect_ratios, where)
    if aspect_ratio is not None and mode == "image":
        warnings.append("aspect_ratio stretches the first frame; unset, the video keeps its ratio")
    if len(request.references) > video.max_references:
        count = len(request.references)
        raise InvalidRequest(
            f"references: at most {video.max_references} reference images, got {count}"
        )
    _check_extras(request, cap, limits, label)
    return {"prompt": prompt, "resolution": resolution, "aspect_ratio": aspect_ratio}


def _mode_of(row: ModelCapability, mode: str) -> VideoModeCapability:
    return (row.video.modes.get(mode) if row.video else None) or VideoModeCapability()


_EXTRAS: dict[str, Callable[[ModelCapability], int]] = {
    "last_frame": lambda row: int(row.video.last_frame) if row.video else 0,
    "keyframes": lambda row: row.video.max_keyframes if row.video else 0,
    "reference_audios": lambda row: row.video.max_reference_audios if row.video else 0,
}
_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _check_extras(
    request: VideoRequest, cap: ModelCapability, limits: VideoModeCapability, label: str
) -> None:
    """last_frame, keyframes and reference_audios: which model, which mode, how many."""
    for field, most in _EXTRAS.items():
        value = getattr(request, field)
        if value in (None, []):
            continue
        if not most(cap):
            raise InvalidRequest(
                f"{field} is not supported by {cap.model}{_elsewhere(cap, 'video', most)}"
            )
        if field == "reference_audios" and not limits.audio_switch:
            raise _refuse(field, label, "the output keeps the input's sound")
        if field != "reference_audios" and not limits.frame_controls:
            raise _refuse(field, label, "use it with text- or image-to-video")
        if isinstance(value, list) and len(value) > most(cap):
            raise InvalidRequest(f"{field}: at most {most(cap)}, got {len(value)}")
    for i, voice in enumerate(request.reference_audios):
        if not _VOICE.fullmatch(voice):
            raise InvalidRequest(f"reference_audios[{i}] {_shown(voice)} is not a voice id")
    if request.reference_audios and request.generate_audio is False:
        raise InvalidRequest("reference_audios need sound; drop generate_audio=false")
    length = request.duration or limits.default_duration or 0
    for i, keyframe in enumerate(request.keyframes):
        if not 0 < keyframe.at_s < length:
            raise InvalidRequest(
                f"keyframes[{i}].at_s {keyframe.at_s:g} s must be after 0 and before "
                f"the end ({length} s)"
            )
    gap = cap.video.keyframe_min_gap_s if cap.video else 0.0
    for earlier, later in itertools.pairwise(sorted(k.at_s for k in request.keyframes)):
        if later - earlier < gap - 1e-9:
            raise InvalidRequest(
                f"keyframes at {earlier:g} s and {later:g} s are {later - earlier:.2f} s apart; "
                f"keep them at least {gap:.2f} s apart"
            )


def _check_input_video(
    request: Request, cap: ModelCapability, sources: Mapping[str, Source]
) -> float | None:
    """The edit/extend input's length, checked when it is known (local files, data URIs)."""
    field, mode = (
        ("edit_video", "edit")
        if getattr(request, "edit_video", None)
        else ("extend_video", "extend")
    )
    source = sources.get(field)
    span: Span | None = _mode_of(cap, mode).input_duration
    if source is None or source.duration_s is None or span is None:
        return None
    if source.duration_s not in span:
        allowed = f"at most {span.hi:g} s" if span.lo == 0 else span.text("s")
        given = shown_path(source.value) if source.kind == "file" else "(a data URI)"
        raise InvalidRequest(
            f"{field} {given} is {source.duration_s:g} s long; {MODE_LABELS[mode]} takes {allowed}"
        )
    return source.duration_s


def _absolute(request: Request, sources: Mapping[str, Source]) -> dict[str, Any]:
    """The source fields with each local file replaced by its absolute path."""

    def fix(field: str, value: str) -> str:
        source = sources.get(field)
        return source.value if source is not None and source.kind == "file" else value

    if not sources or isinstance(request, ImageRequest):
        return {}
    if isinstance(request, EditRequest):
        return {"images": [fix(f"images[{i}]", v) for i, v in enumerate(request.images)]}
    update: dict[str, Any] = {
        name: fix(name, getattr(request, name))
        for name in ("image", "last_frame", "edit_video", "extend_video")
        if getattr(request, name) is not None
    }
    update["references"] = [fix(f"references[{i}]", v) for i, v in enumerate(request.references)]
    update["keyframes"] = [
        k.model_copy(update={"image": fix(f"keyframes[{i}].image", k.image)})
        for i, k in enumerate(request.keyframes)
    ]
    return update
