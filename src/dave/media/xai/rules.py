"""x.ai's rules: which fields each kind takes, what each model accepts (counts, sizes, video
modes, frames, keyframes, voices, input videos), checked before any call, and the price of a
request that passes. Not for the rows themselves (models.py) nor for the wire.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from dave.core.errors import InvalidRequest
from dave.media.capabilities import (
    MODE_LABELS,
    ModelCapability,
    Span,
    VideoMode,
    VideoModeCapability,
    capability,
    default_model,
    models,
)
from dave.media.error_lines import shown_value
from dave.media.requests import EditRequest, ImageRequest, Request, VideoRequest
from dave.media.rule_checks import (
    ResolvedRequest,
    check_prompt,
    choose,
    completed,
    refuse_unsupported,
    who_can,
)
from dave.media.sources import Source, check_sources, shown_path
from dave.media.xai.options import OFFERS, ImageOptions, VideoOptions
from dave.media.xai.prices import xai_charge

#: The fields x.ai takes, by kind (what its offers name); any other field set is refused.
_XAI_FIELDS: dict[str, frozenset[str]] = {offer.kind: offer.accepted() for offer in OFFERS}


def validate(request: Request, *, check_files: bool = True) -> ResolvedRequest:
    """Check an x.ai request against its models' rows and fill in the model (see
    dave.media.validation.validate)."""
    if request.kind not in _XAI_FIELDS:
        raise InvalidRequest(f"xai cannot make {request.kind} requests{who_can(request.kind)}")
    if not isinstance(request, ImageRequest | EditRequest | VideoRequest):
        raise InvalidRequest(f"not a media request: {type(request).__name__}")
    model = request.model or default_model(request.provider, request.kind)
    cap = capability(request.provider, model)
    if request.kind not in cap.kinds:
        others = ", ".join(models(request.provider, request.kind))
        raise InvalidRequest(f"{model} cannot make {request.kind} requests; use one of {others}")
    refuse_unsupported(request, _XAI_FIELDS[request.kind], "xai")
    warnings = [f"{model} is {cap.deprecated}"] if cap.deprecated else []
    mode: VideoMode | None = None
    if isinstance(request, VideoRequest):
        mode, update = request.mode, _check_video(request, cap, warnings)
    else:
        update = _check_image(request, cap, warnings)
    sources = check_sources(request.source_fields()) if check_files else {}
    input_s = _check_input_video(request, cap, sources) if mode in ("edit", "extend") else None
    done = completed(request, model, update, sources)
    charge = xai_charge(done, input_duration_s=input_s)
    return ResolvedRequest(done, cap, mode, sources, tuple(warnings), charge)


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
    opts = ImageOptions.of(request)
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
    if opts.quality is not None and not limits.qualities:
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
        "prompt": check_prompt(request.prompt, limits.max_prompt_chars, model),
        "aspect_ratio": choose("aspect_ratio", request.aspect_ratio, limits.aspect_ratios, model),
        "resolution": choose("resolution", opts.resolution, limits.resolutions, model),
        "quality": choose("quality", opts.quality, limits.qualities, model),
    }


def _check_video(
    request: VideoRequest, cap: ModelCapability, warnings: list[str]
) -> dict[str, Any]:
    opts = VideoOptions.of(request)
    video, model, mode = cap.video, cap.model, request.mode
    assert video is not None
    limits = video.modes.get(mode)
    if limits is None:
        hint = _elsewhere(cap, "video", lambda row: row.video and mode in row.video.modes)
        raise InvalidRequest(f"{model} cannot do {MODE_LABELS[mode]}{hint}")
    label = MODE_LABELS[mode]
    where = f"{model} {label}"
    pinned = request.image is not None or request.last_frame is not None or bool(opts.keyframes)
    may_be_empty = video.empty_prompt_with_frame and limits.frame_controls and pinned
    prompt = check_prompt(request.prompt, video.max_prompt_chars, model, may_be_empty=may_be_empty)
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
    resolution = choose("resolution", request.resolution, limits.resolutions, where, hint)
    aspect_ratio = choose("aspect_ratio", request.aspect_ratio, limits.aspect_ratios, where)
    if aspect_ratio is not None and mode == "image":
        warnings.append("aspect_ratio stretches the first frame; unset, the video keeps its ratio")
    if len(opts.references) > video.max_references:
        count = len(opts.references)
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
    opts = VideoOptions.of(request)
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
    for i, voice in enumerate(opts.reference_audios):
        if not _VOICE.fullmatch(voice):
            raise InvalidRequest(f"reference_audios[{i}] {shown_value(voice)} is not a voice id")
    if opts.reference_audios and opts.generate_audio is False:
        raise InvalidRequest("reference_audios need sound; drop generate_audio=false")
    length = request.duration or limits.default_duration or 0
    for i, keyframe in enumerate(opts.keyframes):
        if not 0 < keyframe.at_s < length:
            raise InvalidRequest(
                f"keyframes[{i}].at_s {keyframe.at_s:g} s must be after 0 and before "
                f"the end ({length} s)"
            )
    gap = cap.video.keyframe_min_gap_s if cap.video else 0.0
    for earlier, later in itertools.pairwise(sorted(k.at_s for k in opts.keyframes)):
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
