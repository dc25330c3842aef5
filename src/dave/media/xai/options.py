"""What x.ai Grok Imagine takes beyond the shared request fields, per kind: its option models
(each field documented by its docstring) and its offers. Not for limits (rules.py) nor prices.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from dave.media.options import Offer, Options, StrictModel
from dave.media.sources import SourceMedium


class ImageOptions(Options):
    """x.ai's own image fields."""

    resolution: str | None = None
    """Output size class: `1k` (about 1 megapixel) or `2k` (about 4). Unset: 1k."""
    quality: str | None = None
    """Price/quality tier, only on models that have tiers (`grok-imagine-image-2.0`: low,
    medium, high). Leave unset for every other model."""


class Keyframe(StrictModel):
    """An image the video must pass through at a given moment."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {"image": "image"}

    image: str
    """The frame: a local path, an http(s) URL or a data:image URI."""
    at_s: float
    """When, in seconds from the start; after 0 and before the video's end."""


class VideoOptions(Options):
    """x.ai's own video fields: the inputs of its other modes, keyframes, voices and sound."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {
        "references": "image",
        "keyframes": "image",
        "edit_video": "video",
        "extend_video": "video",
    }

    references: list[str] = Field(default_factory=list)
    """Reference-to-video: 1–7 images of people, objects or styles to include; the prompt
    names them <IMAGE_1>, <IMAGE_2>, ... At most 10 s and 720p."""
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
    generate_audio: bool | None = None
    """False for a silent video; unset makes sound. Not accepted for edits and extensions."""


_RATIOS = (
    "Width:height: 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 2:1, 1:2, 19.5:9, 9:19.5, 20:9, 9:20 "
    "or auto (the default; a single-image edit keeps its source's ratio)."
)

OFFERS = (
    Offer(
        "image",
        ImageOptions,
        {"prompt": None, "n": "How many images to make, 1–10; each is billed.",
         "aspect_ratio": _RATIOS, "response_format": None},
        summary="x.ai makes 1–10 images from the prompt",
        model_note="grok-imagine-image-2.0 has quality tiers",
    ),
    Offer(
        "edit",
        ImageOptions,
        {"prompt": "What to change, in plain text; not empty.",
         "images": "The images to edit, 1–3, in the order the prompt refers to them.",
         "n": "How many images to make, 1–10; each is billed.", "aspect_ratio": _RATIOS,
         "response_format": None},
        summary="x.ai changes one to three images as the prompt says",
        required=frozenset({"prompt"}),
    ),
    Offer(
        "video",
        VideoOptions,
        {"prompt": "What happens in the video (for an edit or extension: what to change or "
         "what comes next), up to 4,096 characters. May be empty on grok-imagine-video-1.5 "
         "when a frame is pinned with image, last_frame or keyframes.",
         "image": None,
         "last_frame": "The exact final frame (grok-imagine-video-1.5, text- or "
         "image-to-video).",
         "duration": "Length in whole seconds, 1–15 (reference-to-video 1–10; default 8); for "
         "an extension, the added length, 2–10 (default 6); not accepted for an edit. Billed "
         "per second.",
         "aspect_ratio": "1:1, 16:9, 9:16, 4:3, 3:4, 3:2 or 2:3. Unset: 16:9, or the first "
         "frame's ratio. Not accepted for edits and extensions.",
         "resolution": "480p (default) or 720p; 1080p on grok-imagine-video-1.5 for text- and "
         "image-to-video; not accepted for edits and extensions (they follow the input)."},
        summary="x.ai from a prompt, a first frame, reference images, or by editing or "
        "extending a video",
        model_note="grok-imagine-video-1.5 adds 1080p, last_frame, keyframes and voices at a "
        "higher price",
    ),
)  # fmt: skip
