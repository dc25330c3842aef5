"""x.ai's media models: what each accepts (../shared/api/xai.md §3–§7) and which one dave
uses for each kind. Not for prices (prices.py beside this) nor for the wire (providers/xai.py)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dave.media.model_rows import (
    ImageCapability,
    ModelCapability,
    Span,
    VideoCapability,
    VideoModeCapability,
)

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


ROWS = (
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

# grok-imagine-image, not -quality: the docs' examples use -quality, but the standard model
# costs 2.5× less and takes the same fields; a user who wants fidelity names the model.
DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "image": "grok-imagine-image",
        "edit": "grok-imagine-image",
        "video": "grok-imagine-video",
    }
)

#: How dave names the provider: in full (tool descriptions) and short (messages).
LABEL = "x.ai Grok Imagine"
SHORT_LABEL = "x.ai"
#: Where the provider's API sits on the built-in emulator (at its root:
#: x.ai's own paths start /v1).
OFFLINE_PREFIX = "/v1"
