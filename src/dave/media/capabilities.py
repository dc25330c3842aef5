"""What each provider's media models can do and what they cost, as a table of data.

Not for checking requests (dave.media.requests does that) nor for speaking any wire format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from dave.core.errors import InvalidRequest
from dave.media.prices import (
    EXTENSION_INPUT_PRICE,
    IMAGE_PRICES,
    VIDEO_INPUT_IMAGE_PRICES,
    VIDEO_PRICES,
    Charge,
)

if TYPE_CHECKING:
    from dave.media.requests import EditRequest, ImageRequest, VideoRequest

Kind = Literal["image", "edit", "video", "upscale", "control", "music", "lyrics"]
VideoMode = Literal["text", "image", "reference", "edit", "extend", "subject"]

#: How a video mode is named in messages.
MODE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "text": "text-to-video",
        "image": "image-to-video",
        "reference": "reference-to-video",
        "edit": "video edit",
        "extend": "video extension",
        "subject": "subject-reference video",
    }
)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class Span:
    """An inclusive numeric range, such as 1–15 seconds."""

    lo: float
    hi: float

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return math.isfinite(value) and self.lo <= value <= self.hi

    def text(self, unit: str = "") -> str:
        """`1–15 s`: the range as a user reads it."""
        suffix = f" {unit}" if unit else ""
        return f"{_num(self.lo)}–{_num(self.hi)}{suffix}"


@dataclass(frozen=True, slots=True)
class ImageCapability:
    """What a model accepts for image generation and editing."""

    n: Span = Span(1, 10)
    aspect_ratios: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    response_formats: tuple[str, ...] = ("url", "b64_json")
    #: Source images one edit may take (0: the model does not edit).
    max_edit_sources: int = 0
    #: Price/quality tiers accepted in `quality` (empty: the field is refused).
    qualities: tuple[str, ...] = ()
    default_quality: str | None = None
    #: x.ai documents no image prompt limit; this generous cap only stops accidents.
    max_prompt_chars: int = 8000


@dataclass(frozen=True, slots=True)
class VideoModeCapability:
    """What one video mode (text-to-video, video edit, ...) accepts."""

    #: Output length in seconds (None: the mode takes no duration, e.g. an edit keeps the input's).
    duration: Span | None = None
    default_duration: int | None = None
    #: Empty: the field is not accepted in this mode (the output follows the input video).
    resolutions: tuple[str, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    #: Whether `generate_audio` may be set.
    audio_switch: bool = False
    #: Length of the input video for edit/extend (checked only for local files).
    input_duration: Span | None = None
    #: Whether last_frame, keyframes and reference audios may be used (if the model has them).
    frame_controls: bool = False


@dataclass(frozen=True, slots=True)
class VideoCapability:
    """What a model accepts for video jobs."""

    #: By mode; a plain dict so `dataclasses.asdict` can list the table (do not mutate it).
    modes: dict[str, VideoModeCapability] = field(default_factory=dict)
    default_resolution: str = "480p"
    default_aspect_ratio: str = "16:9"
    max_references: int = 0
    last_frame: bool = False
    max_keyframes: int = 0
    keyframe_min_gap_s: float = 1 / 3
    max_reference_audios: int = 0
    max_prompt_chars: int = 4096
    #: 1.5 may take an empty prompt when a frame is pinned (image, last_frame or keyframes).
    empty_prompt_with_frame: bool = False


@dataclass(frozen=True, slots=True)
class ModelCapability:
    """One provider+model row of the table."""

    provider: str
    model: str
    kinds: tuple[str, ...]
    image: ImageCapability | None = None
    video: VideoCapability | None = None
    #: When set, the model still works but should not be used; the text says what to use instead.
    deprecated: str | None = None
    note: str = ""


# --- x.ai (docs: ../shared/api/xai.md §3–§7) -----------------------------------------------

XAI_IMAGE_ASPECT_RATIOS = (
    "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "2:1", "1:2",
    "19.5:9", "9:19.5", "20:9", "9:20", "auto",
)  # fmt: skip
XAI_VIDEO_ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")

_XAI_IMAGE = ImageCapability(
    aspect_ratios=XAI_IMAGE_ASPECT_RATIOS, resolutions=("1k", "2k"), max_edit_sources=3
)


def _xai_video(*, v15: bool) -> VideoCapability:
    gen_res = ("480p", "720p", "1080p") if v15 else ("480p", "720p")
    generate = VideoModeCapability(
        duration=Span(1, 15),
        default_duration=8,
        resolutions=gen_res,
        aspect_ratios=XAI_VIDEO_ASPECT_RATIOS,
        audio_switch=True,
        frame_controls=True,
    )
    modes = {
        "text": generate,
        "image": generate,
        # R2V: ≤ 10 s and ≤ 720p on every model [DOCS reference-to-video], [AISDK].
        "reference": VideoModeCapability(
            duration=Span(1, 10),
            default_duration=8,
            resolutions=("480p", "720p"),
            aspect_ratios=XAI_VIDEO_ASPECT_RATIOS,
            audio_switch=True,
        ),
        # Edit input ≤ 8.7 s; output keeps its length and ratio [DOCS video/editing].
        "edit": VideoModeCapability(input_duration=Span(0, 8.7)),
        # Extension input: docs say 2–15 s, the SDK docstring 2–30 s; we follow the docs.
        # Added length: docs 2–10 s (default 6), SDK 1–10 s; again the docs.
        "extend": VideoModeCapability(
            duration=Span(2, 10), default_duration=6, input_duration=Span(2, 15)
        ),
    }
    return VideoCapability(
        modes=modes,
        max_references=7,
        last_frame=v15,
        max_keyframes=4 if v15 else 0,
        max_reference_audios=3 if v15 else 0,
        empty_prompt_with_frame=v15,
    )


def _rows(*rows: ModelCapability) -> Mapping[tuple[str, str], ModelCapability]:
    return MappingProxyType({(row.provider, row.model): row for row in rows})


_TABLE = _rows(
    ModelCapability(
        "xai",
        "grok-imagine-image",
        ("image", "edit"),
        image=_XAI_IMAGE,
        note="standard image model, $0.02/image; dave's default for cost",
    ),
    ModelCapability(
        "xai",
        "grok-imagine-image-quality",
        ("image", "edit"),
        image=_XAI_IMAGE,
        note="higher fidelity, $0.05/image",
    ),
    ModelCapability(
        "xai",
        "grok-imagine-image-pro",
        ("image",),
        image=ImageCapability(aspect_ratios=XAI_IMAGE_ASPECT_RATIOS, resolutions=("1k", "2k")),
        deprecated="deprecated by x.ai as of 2026-05-15; use grok-imagine-image-quality",
    ),
    ModelCapability(
        "xai",
        "grok-imagine-image-2.0",
        ("image",),
        image=ImageCapability(
            aspect_ratios=XAI_IMAGE_ASPECT_RATIOS,
            resolutions=("1k", "2k"),
            qualities=("low", "medium", "high"),
            default_quality="medium",
        ),
        note="the only x.ai model with quality tiers (price tiers)",
    ),
    ModelCapability(
        "xai",
        "grok-imagine-video",
        ("video",),
        video=_xai_video(v15=False),
        note="480p/720p; text, image, reference, edit and extend modes",
    ),
    ModelCapability(
        "xai",
        "grok-imagine-video-1.5",
        ("video",),
        video=_xai_video(v15=True),
        note="adds 1080p (text/image), last_frame, keyframes and reference audios",
    ),
)

# --- MiniMax (docs: ../shared/api/minimax.md §2–§4) ----------------------------------------
# The detailed rules (sizes, duration × resolution, music fields) live in minimax_rules.py.


def _mm(
    model: str, kinds: tuple[str, ...], note: str, *, deprecated: str | None = None
) -> ModelCapability:
    return ModelCapability("minimax", model, kinds, note=note, deprecated=deprecated)


_MINIMAX_ROWS = (
    _mm("image-01", ("image",), "text-to-image and character reference; n 1–9, 512–2048 px"),
    _mm("image-01-live", ("image",), "image-01 with art styles (comic, vibrant, medieval, ...)"),
    _mm("MiniMax-Hailuo-2.3", ("video",), "text and first-frame video, 768P 6/10 s, 1080P 6 s"),
    _mm("MiniMax-Hailuo-2.3-Fast", ("video",), "first-frame video only, faster and cheaper"),
    _mm("MiniMax-Hailuo-02", ("video",), "text, first frame, first + last frame; 512P–1080P"),
    _mm("T2V-01-Director", ("video",), "text-to-video with camera commands, 720P 6 s"),
    _mm("T2V-01", ("video",), "text-to-video, 720P 6 s"),
    _mm("I2V-01-Director", ("video",), "first-frame video with camera commands, 720P 6 s"),
    _mm("I2V-01-live", ("video",), "first-frame video for illustrations, 720P 6 s"),
    _mm("I2V-01", ("video",), "first-frame video, 720P 6 s"),
    _mm("S2V-01", ("video",), "subject-reference video (one face), 720P 6 s"),
    _mm("music-2.6", ("music",), "songs from a prompt and lyrics, or instrumentals"),
    _mm("music-3.0", ("music",), "songs from a prompt and lyrics, or instrumentals"),
    _mm("music-2.5", ("music",), "songs from a prompt and lyrics"),
    _mm("music-2.5+", ("music",), "songs from a prompt and lyrics"),
    _mm("music-2.0", ("music",), "songs; prompt 10–300, lyrics 10–600 characters"),
    _mm("music-1.5", ("music",), "songs; prompt 10–300, lyrics 10–600 characters"),
    _mm(
        "music-cover",
        ("music", "lyrics"),
        "a cover of a reference track; as lyrics: a track's lyrics and cover_feature_id",
    ),
    _mm("music-2.6-free", ("music",), "free tier, RPM 3", deprecated="discontinued 2026-08-20"),
    _mm("music-3.0-free", ("music",), "free tier, RPM 3", deprecated="discontinued 2026-08-20"),
    _mm("music-cover-free", ("music",), "free tier", deprecated="discontinued 2026-08-20"),
    # The lyrics endpoint takes no model; this name stands for it in jobs and prices.
    _mm("lyrics-generation", ("lyrics",), "writes a song's lyrics, or edits given lyrics"),
)

# --- Stability AI (docs: ../shared/api/stability.md §3–§7) ---------------------------------
# One row per route: an edit operation, an upscale or a control mode is its own "model", so
# jobs, prices and `dave cost` name the route that ran. Rules live in stability_rules.py.


def _st(model: str, kinds: tuple[str, ...], note: str) -> ModelCapability:
    return ModelCapability("stability", model, kinds, note=note)


_STABILITY_ROWS = (
    _st("stable-image-ultra", ("image",), "Stable Image Ultra, 1 MP; text or image-to-image"),
    _st("stable-image-core", ("image",), "Stable Image Core, 1.5 MP, text-to-image"),
    _st("sd3.5-large", ("image",), "Stable Diffusion 3.5 Large (8 B); text or image-to-image"),
    _st("sd3.5-large-turbo", ("image",), "SD 3.5 Large Turbo, 4 steps"),
    _st("sd3.5-medium", ("image",), "SD 3.5 Medium (2.5 B)"),
    _st("sd3.5-flash", ("image",), "SD 3.5 Flash, 4 steps"),
    _st("erase", ("edit",), "removes what a mask (or the alpha channel) marks"),
    _st("inpaint", ("edit",), "repaints what a mask marks, as the prompt says"),
    _st("outpaint", ("edit",), "extends the image left, right, up or down"),
    _st("search-and-replace", ("edit",), "replaces what `search` names with the prompt"),
    _st("search-and-recolor", ("edit",), "recolours what `search` names as the prompt says"),
    _st("remove-background", ("edit",), "cuts the subject out onto transparency"),
    _st("replace-background-and-relight", ("edit",), "new background and light (async)"),
    _st("upscale-fast", ("upscale",), "4× in about a second"),
    _st("upscale-conservative", ("upscale",), "to 4 MP, keeping the image as it is"),
    _st("upscale-creative", ("upscale",), "up to 4K from ≤ 1 MP, re-imagining detail (async)"),
    _st("control-sketch", ("control",), "an image from a sketch's lines"),
    _st("control-structure", ("control",), "an image keeping the input's structure"),
    _st("control-style", ("control",), "an image in the style of the input (style guide)"),
    _st("style-transfer", ("control",), "the init image redrawn in the style image's style"),
    _st("stable-audio-2", ("music",), "text-to-audio and audio-to-audio, up to 190 s"),
    _st("stable-audio-2.5", ("music",), "text-to-audio, audio-to-audio and inpaint, up to 190 s"),
    _st("stable-audio-3", ("music",), "text, audio-to-audio, inpaint, up to 380 s (async)"),
)

_TABLE = MappingProxyType({**_TABLE, **_rows(*_MINIMAX_ROWS, *_STABILITY_ROWS)})

# grok-imagine-image, not -quality: the docs' examples use -quality, but the standard model
# costs 2.5× less and takes the same fields; a user who wants fidelity names the model.
_DEFAULTS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("xai", "image"): "grok-imagine-image",
        ("xai", "edit"): "grok-imagine-image",
        ("xai", "video"): "grok-imagine-video",
        ("minimax", "image"): "image-01",
        ("minimax", "video"): "MiniMax-Hailuo-2.3",
        ("minimax", "music"): "music-2.6",
        ("minimax", "lyrics"): "lyrics-generation",
        ("stability", "image"): "stable-image-core",
        ("stability", "edit"): "inpaint",
        ("stability", "upscale"): "upscale-fast",
        ("stability", "control"): "control-sketch",
        # stable-audio-2.5, not the API's default stable-audio-2: same price band, 4–8 steps.
        ("stability", "music"): "stable-audio-2.5",
    }
)


def providers() -> tuple[str, ...]:
    """The providers that have rows in the table, in a stable order."""
    return tuple(dict.fromkeys(provider for provider, _ in _TABLE))


def models(provider: str, kind: str | None = None) -> tuple[str, ...]:
    """A provider's model ids (only those that do `kind`, when given)."""
    return tuple(
        row.model
        for (name, _), row in _TABLE.items()
        if name == provider and (kind is None or kind in row.kinds)
    )


def _check_provider(provider: str) -> None:
    if provider not in providers():
        known = ", ".join(providers())
        raise InvalidRequest(f"unknown provider {provider!r}; use one of {known}")


def capability(provider: str, model: str) -> ModelCapability:
    """The row for provider+model; InvalidRequest naming the known models when there is none."""
    _check_provider(provider)
    row = _TABLE.get((provider, model))
    if row is None:
        known = ", ".join(models(provider))
        raise InvalidRequest(f"unknown {provider} model {model!r}; use one of {known}")
    return row


def default_model(provider: str, kind: str) -> str:
    """The model dave uses when a request names none."""
    _check_provider(provider)
    try:
        return _DEFAULTS[(provider, kind)]
    except KeyError:
        raise InvalidRequest(f"{provider} has no {kind} models") from None


# --- prices --------------------------------------------------------------------------------
# x.ai's price table is in prices.py with the other providers'; estimate_cost reads it here
# because it needs the capability rows (defaults per mode).


def estimate_cost(
    request: ImageRequest | EditRequest | VideoRequest, *, input_duration_s: float | None = None
) -> float | None:
    """A list-price estimate in USD; None when the model or a price is unknown."""
    charge = xai_charge(request, input_duration_s=input_duration_s)
    return charge.amount if charge is not None else None


def xai_charge(
    request: ImageRequest | EditRequest | VideoRequest, *, input_duration_s: float | None = None
) -> Charge | None:
    """The list price of one x.ai job, how it was reached, and whether it is an estimate;
    None when the model or a price is unknown.

    Unset fields count at the provider's defaults. Edits bill their input images and their
    outputs (xai.md §8); an input's price is not published, so it counts at the output price
    and the whole is an estimate. Edit and extend outputs follow their input's resolution, so
    they count at 720p, the highest they can be; an edit's length is its input's
    (`input_duration_s`), else the 8.7 s cap.
    """
    model = request.model or _DEFAULTS.get((request.provider, request.kind))
    row = _TABLE.get((request.provider, model or ""))
    if model is None or row is None:
        return None
    if request.kind == "image" or request.kind == "edit":  # (`==` narrows the union; `in` not)
        price = IMAGE_PRICES.get((request.provider, model))
        if price is None:
            return None
        inputs = len(getattr(request, "images", []))
        basis = f"${price.usd:g}/image × {request.n} output(s)"
        if inputs:
            basis += f" + {inputs} input image(s) at the same price"
        return Charge(
            round(price.usd * (request.n + inputs), 6),
            "usd",
            f"{basis} {price.source}",
            estimate=bool(inputs) or not price.documented,
        )
    return _video_charge(request, row, input_duration_s)


def _video_charge(
    request: VideoRequest, row: ModelCapability, input_duration_s: float | None
) -> Charge | None:
    try:
        mode = request.mode
    except InvalidRequest:
        return None
    assert row.video is not None
    limits = row.video.modes.get(mode)
    if limits is None:
        return None
    if mode in ("edit", "extend"):
        resolution = "720p"
    else:
        resolution = request.resolution or row.video.default_resolution
    per_second = VIDEO_PRICES.get((row.provider, row.model, resolution))
    if per_second is None:
        return None
    # An edit's length is guessed without its input, and extend and edit outputs are counted
    # at the highest resolution they can have: estimates, whatever the table's source.
    estimate = not per_second.documented or mode in ("edit", "extend")
    if mode == "edit":
        seconds = input_duration_s if input_duration_s is not None else 8.7
    else:
        seconds = float(request.duration or limits.default_duration or 0)
    cost = per_second.usd * seconds
    basis = [f"${per_second.usd:g}/s × {seconds:g} s at {resolution} {per_second.source}"]
    if mode == "extend":
        input_s = input_duration_s if input_duration_s else 15.0
        cost += EXTENSION_INPUT_PRICE.usd * input_s
        basis.append(f"${EXTENSION_INPUT_PRICE.usd:g}/s × {input_s:g} s of input video")
    inputs = request.input_image_count()
    input_price = VIDEO_INPUT_IMAGE_PRICES.get((row.provider, row.model))
    if inputs and input_price is not None:
        cost += input_price.usd * inputs
        basis.append(f"${input_price.usd:g} × {inputs} input image(s) {input_price.source}")
        estimate = estimate or not input_price.documented
    return Charge(round(cost, 6), "usd", " + ".join(basis), estimate=estimate)
