"""Checks a Stability request before any money is spent: which route it names, every field the
wire document states (../shared/api/stability.md), source image sizes and body size, and its
price in credits. Not for the route table itself (routes.py beside it) nor for the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dave.core.errors import InvalidRequest
from dave.media.capabilities import Span, capability, default_model, models
from dave.media.error_lines import shown_value
from dave.media.requests import (
    ControlRequest,
    EditRequest,
    ImageRequest,
    MusicRequest,
    Request,
    UpscaleRequest,
)
from dave.media.rule_checks import (
    ResolvedRequest,
    check_prompt,
    choose,
    completed,
    refuse_unsupported,
    who_can,
)
from dave.media.sources import Source, check_sources, shown_path
from dave.media.stability.options import (
    ControlOptions,
    EditOptions,
    ImageOptions,
    MusicOptions,
    UpscaleOptions,
)
from dave.media.stability.prices import stability_charge
from dave.media.stability.routes import (
    ASPECT_RATIOS,
    AUDIO_BODY_LIMIT,
    AUDIO_BODY_LIMIT_SA3,
    CONTROL_MODES,
    EDIT_OPS,
    IMAGE_BODY_LIMIT,
    MAX_PROMPT,
    MAX_SEED,
    ROUTES,
    SD3_MODELS,
    STYLE_PRESETS,
    UPSCALE_MODES,
    Route,
)

_KINDS = ("image", "edit", "upscale", "control", "music")
_ALWAYS = frozenset({"kind", "provider", "model", "op", "mode"})
#: Numeric ranges by (route or "*", field).
_RANGES: Mapping[tuple[str, str], Span] = {
    ("*", "strength"): Span(0, 1),
    ("*", "cfg_scale"): Span(1, 10),
    ("erase", "grow_mask"): Span(0, 20),
    ("inpaint", "grow_mask"): Span(0, 100),
    ("search-and-replace", "grow_mask"): Span(0, 20),
    ("search-and-recolor", "grow_mask"): Span(0, 20),
    ("outpaint", "creativity"): Span(0, 1),
    ("upscale-conservative", "creativity"): Span(0.2, 0.5),
    ("upscale-creative", "creativity"): Span(0.1, 0.5),
    ("*", "light_strength"): Span(0, 1),
    ("*", "preserve_subject"): Span(0, 1),
    ("*", "background_depth"): Span(0, 1),
    ("*", "control_strength"): Span(0, 1),
    ("*", "fidelity"): Span(0, 1),
    ("*", "style_strength"): Span(0, 1),
    ("*", "composition_fidelity"): Span(0, 1),
    ("*", "change_strength"): Span(0.1, 1),
}
_DIRECTIONS = ("left", "right", "up", "down")
_TEXTS = ("negative_prompt", "search", "background_prompt", "foreground_prompt")
# Stable Audio ranges by model (§7): duration, steps, cfg_scale, strength, mask.
_AUDIO_DURATION = {"stable-audio-3": Span(1, 380)}
_AUDIO_STEPS = {"stable-audio-2": Span(30, 100)}
_AUDIO_STRENGTH = {"stable-audio-2.5": Span(0.01, 1)}
_AUDIO_INPUT = {"stable-audio-3": Span(6, 380)}


def validate(request: Request, *, check_files: bool = True) -> ResolvedRequest:
    """The request checked and filled in (model = the route), with its price in credits."""
    if request.kind not in _KINDS:
        raise InvalidRequest(
            f"stability cannot make {request.kind} requests{who_can(request.kind)}"
        )
    assert isinstance(
        request, ImageRequest | EditRequest | UpscaleRequest | ControlRequest | MusicRequest
    )
    model = _route_of(request)
    cap = capability("stability", model)
    if request.kind not in cap.kinds:
        others = ", ".join(models("stability", request.kind))
        raise InvalidRequest(f"{model} cannot make {request.kind} requests; use one of {others}")
    route = ROUTES[model]
    # A route takes the source images it has limits for (`images[0]` is the field `images`).
    takes_sources = {name.split("[")[0] for name in route.pixels}
    refuse_unsupported(request, route.fields | _ALWAYS | takes_sources, f"stability {model}")
    update = _check_fields(request, route)
    _refuse_urls(request)
    sources = check_sources(request.source_fields()) if check_files else {}
    _check_sources(request, route, sources)
    done = completed(request, model, update, sources)
    charge = stability_charge(model, steps=getattr(done, "steps", None))
    return ResolvedRequest(done, cap, None, sources, (), charge)


# -- which route -----------------------------------------------------------------------------


def _route_of(request: Request) -> str:
    """The dave model (= route) a request names: by model, by op/mode, or the default."""
    named = request.model
    if isinstance(request, EditRequest):
        op = EditOptions.of(request).op
        wanted = EDIT_OPS[op] if op else None
        return _agree(named, wanted, f"op {op!r}", "edit")
    if isinstance(request, UpscaleRequest | ControlRequest):
        mode: str
        if isinstance(request, UpscaleRequest):
            table, mode = UPSCALE_MODES, UpscaleOptions.of(request).mode
        else:
            table, mode = CONTROL_MODES, ControlOptions.of(request).mode
        wanted = table[mode] if "mode" in request.model_fields_set or not named else None
        return _agree(named, wanted, f"mode {mode!r}", request.kind)
    return named or default_model("stability", request.kind)


def _agree(named: str | None, wanted: str | None, by: str, kind: str) -> str:
    if named and wanted and named != wanted:
        raise InvalidRequest(f"model {named!r} contradicts {by}, which is {wanted}; set only one")
    return named or wanted or default_model("stability", kind)


# -- fields ----------------------------------------------------------------------------------


def _check_fields(request: Request, route: Route) -> dict[str, Any]:
    model = route.model
    update: dict[str, Any] = {}
    n = getattr(request, "n", 1)
    if n != 1:
        raise InvalidRequest(f"n must be 1 on stability {model}, got {n}")
    prompt = str(getattr(request, "prompt", ""))
    if "prompt" in route.fields:
        required = "prompt" in route.required
        if required and not prompt.strip():
            raise InvalidRequest(f"prompt is required for stability {model} (1–10,000 characters)")
        update["prompt"] = check_prompt(prompt, MAX_PROMPT, model, may_be_empty=not required)
    for name in _TEXTS:
        value = getattr(request, name, None)
        if value is not None and len(value) > MAX_PROMPT:
            raise InvalidRequest(
                f"{name} is {len(value):,} characters; {model} takes at most {MAX_PROMPT:,}"
            )
    for name in route.required:
        if name != "prompt" and getattr(request, name, None) in (None, ""):
            raise InvalidRequest(f"{name} is required for stability {model}")
    seed = getattr(request, "seed", None)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise InvalidRequest(f"seed {seed} is out of range; use 0–{MAX_SEED:,} (0 = random)")
    where = f"stability {model}"
    output_format = getattr(request, "output_format", None)
    if output_format is not None:
        update["output_format"] = choose(
            "output_format", output_format, route.output_formats, where
        )
    style = getattr(request, "style", None)
    if style is not None:
        update["style"] = choose("style", style, STYLE_PRESETS, where)
    aspect_ratio = getattr(request, "aspect_ratio", None)
    if aspect_ratio is not None:
        update["aspect_ratio"] = choose("aspect_ratio", aspect_ratio, ASPECT_RATIOS, where)
    _check_ranges(request, route)
    if isinstance(request, ImageRequest):
        _check_image(request, model)
    elif isinstance(request, EditRequest):
        update |= _check_edit(request, model, update.get("prompt", ""))
    elif isinstance(request, MusicRequest):
        _check_music(request, model)
    return update


def _check_ranges(request: Request, route: Route) -> None:
    if isinstance(request, MusicRequest):
        return  # Stable Audio's ranges depend on the model: _check_music
    for name in route.fields:
        span = _RANGES.get((route.model, name)) or _RANGES.get(("*", name))
        value = getattr(request, name, None)
        if span is not None and value is not None and value not in span:
            raise InvalidRequest(
                f"{name} {value:g} is out of range for stability {route.model}; use {span.text()}"
            )


def _check_image(request: ImageRequest, model: str) -> None:
    opts = ImageOptions.of(request)
    if model == "stable-image-core":
        return
    if opts.image is not None and opts.strength is None:
        raise InvalidRequest(f"strength is required with image on {model} (0–1: 0 keeps it)")
    if opts.image is None and opts.strength is not None:
        raise InvalidRequest(f"strength is only for image-to-image on {model}; add an image")
    if model in SD3_MODELS and opts.image is not None and request.aspect_ratio is not None:
        raise InvalidRequest(
            f"aspect_ratio is only for text-to-image on {model}; image-to-image keeps the "
            "input's ratio"
        )


def _check_edit(request: EditRequest, model: str, prompt: str) -> dict[str, Any]:
    opts = EditOptions.of(request)
    if len(request.images) != 1:
        raise InvalidRequest(
            f"images: stability {model} takes exactly 1 image, got {len(request.images)}"
        )
    if model == "outpaint":
        for name in _DIRECTIONS:
            value = getattr(request, name)
            if value is not None and not 0 <= value <= 2000:
                raise InvalidRequest(f"{name} {value} px is out of range for outpaint; use 0–2000")
        if not any(getattr(request, name) for name in _DIRECTIONS):
            raise InvalidRequest("outpaint needs at least one of left, right, up, down above 0")
    if model != "replace-background-and-relight":
        return {}
    # The prompt of a relight describes the new background.
    if prompt and opts.background_prompt:
        raise InvalidRequest(
            "relight: give the background as prompt or background_prompt, not both"
        )
    background = opts.background_prompt or prompt or None
    if background is None and opts.background_reference is None:
        raise InvalidRequest(
            "relight needs a background: a prompt, background_prompt or background_reference"
        )
    if opts.light_strength is not None and not (opts.light_direction or opts.light_reference):
        raise InvalidRequest("light_strength needs light_direction or light_reference")
    return {"prompt": "", "background_prompt": background}


def _check_music(request: MusicRequest, model: str) -> None:
    opts = MusicOptions.of(request)
    inpaint = opts.mask_start is not None or opts.mask_end is not None
    if inpaint and model == "stable-audio-2":
        raise InvalidRequest(
            "mask_start/mask_end (inpaint) need stable-audio-2.5 or stable-audio-3, "
            "not stable-audio-2"
        )
    if inpaint and request.reference is None:
        raise InvalidRequest("inpaint needs reference: the audio whose part to regenerate")
    if opts.strength is not None and (request.reference is None or inpaint):
        raise InvalidRequest("strength is only for audio-to-audio (a reference, no mask)")
    sa25_inpaint = inpaint and model == "stable-audio-2.5"
    if sa25_inpaint and opts.cfg_scale is not None:
        raise InvalidRequest("cfg_scale is not accepted by stable-audio-2.5 inpaint")
    limit = 380 if model == "stable-audio-3" else 190
    checks: list[tuple[str, Any, Span]] = [
        ("duration", opts.duration, _AUDIO_DURATION.get(model, Span(1, 190))),
        ("steps", opts.steps, _AUDIO_STEPS.get(model, Span(4, 8))),
        ("cfg_scale", opts.cfg_scale, Span(1, 25)),
        ("strength", opts.strength, _AUDIO_STRENGTH.get(model, Span(0, 1))),
        ("mask_start", opts.mask_start, Span(0, limit)),
        ("mask_end", opts.mask_end, Span(0, limit)),
    ]
    for name, value, span in checks:
        if value is not None and value not in span:
            raise InvalidRequest(f"{name} {value:g} is out of range for {model}; use {span.text()}")
    if request.output_format is not None:
        choose("output_format", request.output_format, ("mp3", "wav"), model)


# -- sources ---------------------------------------------------------------------------------


def _refuse_urls(request: Request) -> None:
    """Stability takes uploads, not links: dave would have to fetch the URL first, with no
    check of its size or pixels before paying. Refused; download it and pass the file."""
    for field, value, _ in request.source_fields():
        if value.strip().lower().startswith(("http://", "https://")):
            raise InvalidRequest(
                f"{field}: stability takes uploaded files, not URLs ({shown_value(value)}); "
                "download it and pass the local path"
            )


def _check_sources(request: Request, route: Route, sources: Mapping[str, Source]) -> None:
    for field, source in sources.items():
        limits = route.pixels.get(field)
        if source.medium == "image" and limits is not None and source.width and source.height:
            problem = limits.problem(source.width, source.height)
            if problem:
                raise InvalidRequest(
                    f"{field} {_name(source)} is {source.width}×{source.height} px; "
                    f"for stability {route.model} {problem}"
                )
    total = sum(source.size_bytes or 0 for source in sources.values())
    if isinstance(request, MusicRequest):
        _check_audio_source(request, route.model, sources.get("reference"))
        limit = AUDIO_BODY_LIMIT.get(route.model, AUDIO_BODY_LIMIT_SA3)
    else:
        limit = IMAGE_BODY_LIMIT
    if total > limit:
        raise InvalidRequest(
            f"the files add up to {total:,} bytes; stability {route.model} takes at most "
            f"{limit:,} bytes per request"
        )


def _check_audio_source(request: MusicRequest, model: str, source: Source | None) -> None:
    if source is None:
        return
    if source.mime not in ("audio/mpeg", "audio/wav"):
        raise InvalidRequest(
            f"reference {_name(source)} is {source.mime}; {model} takes MP3 or WAV"
        )
    span = _AUDIO_INPUT.get(model, Span(6, 190))
    if source.duration_s is not None and source.duration_s not in span:
        raise InvalidRequest(
            f"reference {_name(source)} is {source.duration_s:.1f} s long; {model} takes "
            f"{span.text('s')}"
        )


def _name(source: Source) -> str:
    return shown_path(source.value) if source.kind == "file" else "(a data URI)"
