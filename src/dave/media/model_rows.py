"""The shape of the capability table: what a media model accepts (counts, sizes, ranges,
modes), one row per provider and model. Each provider's rows live in its slice
(`media/<provider>/models.py`); `media/capabilities.py` gathers them.

Not for checking requests (the rules modules do that) nor for prices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

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


def rows(*models: ModelCapability) -> Mapping[tuple[str, str], ModelCapability]:
    """Rows keyed by (provider, model), read-only."""
    return MappingProxyType({(row.provider, row.model): row for row in models})
