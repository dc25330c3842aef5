"""What Stability AI takes beyond the shared request fields, per kind: its option models (each
field documented by its docstring) and its offers. Not for the routes and their limits
(routes.py, rules.py) nor prices.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from dave.media.options import Offer, Options, WholeNumber
from dave.media.sources import SourceMedium


class _Tuning(Options):
    """Knobs every Stability image route shares (each route refuses those it lacks)."""

    seed: WholeNumber | None = None
    """0 to 4,294,967,294; the same seed and settings give a similar result. Unset or 0:
    random."""
    negative_prompt: str | None = None
    """What the output should not show, up to 10,000 characters."""
    style: str | None = None
    """A style preset: enhance, anime, photographic, digital-art, comic-book, fantasy-art,
    line-art, analog-film, neon-punk, isometric, low-poly, origami, modeling-compound,
    cinematic, 3d-model, pixel-art or tile-texture."""
    output_format: str | None = None
    """The file format: png (default), jpeg or webp."""


class ImageOptions(_Tuning):
    """Stable Image's own generate fields."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {"image": "image"}

    image: str | None = None
    """Ultra and SD 3.5: image-to-image from this input (needs `strength`)."""
    strength: float | None = None
    """Image-to-image: 0 keeps the input, 1 ignores it."""
    cfg_scale: float | None = None
    """SD 3.5: how closely to follow the prompt, 1–10 (default 4; Turbo and Flash 1)."""


EditOp = Literal[
    "erase", "inpaint", "outpaint", "search-replace", "recolor", "remove-background", "relight"
]


class EditOptions(_Tuning):
    """The fields of Stability's edit operations."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {
        "mask": "image",
        "background_reference": "image",
        "light_reference": "image",
    }

    op: EditOp | None = None
    """erase, inpaint (default), outpaint, search-replace, recolor, remove-background or
    relight (replace the background and relight; asynchronous)."""
    mask: str | None = None
    """erase and inpaint: a greyscale mask, white = repaint, black = keep. Unset: the image's
    alpha channel (transparent = repaint)."""
    grow_mask: WholeNumber | None = None
    """Pixels to grow and feather the mask by (erase 0–20, inpaint 0–100, search ops 0–20)."""
    search: str | None = None
    """search-replace: what to replace; recolor: what to recolour."""
    left: WholeNumber | None = None
    """outpaint: pixels to add on the left, 0–2000."""
    right: WholeNumber | None = None
    """outpaint: pixels to add on the right, 0–2000."""
    up: WholeNumber | None = None
    """outpaint: pixels to add at the top, 0–2000."""
    down: WholeNumber | None = None
    """outpaint: pixels to add at the bottom, 0–2000."""
    creativity: float | None = None
    """outpaint: how inventive the new parts are, 0–1 (0.5)."""
    background_prompt: str | None = None
    """relight: the new background (this and/or background_reference)."""
    background_reference: str | None = None
    """relight: an image whose style the new background takes."""
    foreground_prompt: str | None = None
    """relight: the subject, to keep the background from bleeding into it."""
    light_reference: str | None = None
    """relight: an image whose bright areas light the scene."""
    light_direction: Literal["left", "right", "above", "below"] | None = None
    """relight: where the light comes from."""
    light_strength: float | None = None
    """relight: 0–1 (0.3); needs light_direction or light_reference."""
    preserve_subject: float | None = None
    """relight: how much of the original subject to keep, 0–1 (0.6)."""
    background_depth: float | None = None
    """relight: the original background's depth of field, 0–1 (0.5)."""
    keep_background: bool | None = None
    """relight: keep the original background and only relight."""


class UpscaleOptions(_Tuning):
    """The fields of Stability's upscales."""

    mode: Literal["fast", "conservative", "creative"] = "fast"
    """fast: 4× in about a second (inputs 32–1536 px a side); conservative: to 4 MP keeping
    the image as it is; creative: up to 4K, re-imagining detail (inputs up to 1 MP)."""
    creativity: float | None = None
    """conservative 0.2–0.5 (0.35); creative 0.1–0.5 (0.3): how much detail may be invented."""


class ControlOptions(_Tuning):
    """The fields of Stability's control routes."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {"style_image": "image"}

    mode: Literal["sketch", "structure", "style", "style-transfer"] = "sketch"
    """sketch: follow the lines of a sketch; structure: keep the image's layout; style: take
    the image's style (style guide); style-transfer: redraw `image` in `style_image`'s style."""
    style_image: str | None = None
    """style-transfer: the image whose style to apply (required there, refused elsewhere)."""
    control_strength: float | None = None
    """sketch, structure: how much the control image rules, 0–1 (0.7)."""
    fidelity: float | None = None
    """style: how closely the output keeps the input's style, 0–1 (0.5)."""
    aspect_ratio: str | None = None
    """style: 21:9, 16:9, 3:2, 5:4, 1:1, 4:5, 2:3, 9:16 or 9:21 (1:1)."""
    style_strength: float | None = None
    """style-transfer: 0–1 (1)."""
    composition_fidelity: float | None = None
    """style-transfer: how much of the image's composition to keep, 0–1 (0.9)."""
    change_strength: float | None = None
    """style-transfer: how much the image may change, 0.1–1 (0.9)."""


class MusicOptions(Options):
    """Stable Audio's own fields."""

    duration: float | None = None
    """Length in seconds, 1–190 (Stable Audio 3: 1–380); default 190."""
    steps: WholeNumber | None = None
    """Sampling steps (stable-audio-2: 30–100, default 50; 2.5 and 3: 4–8, 8)."""
    cfg_scale: float | None = None
    """How closely to follow the prompt, 1–25."""
    strength: float | None = None
    """Audio-to-audio: 0 keeps the reference, 1 ignores it (1)."""
    mask_start: float | None = None
    """Inpaint: where the part to regenerate starts, in seconds (30)."""
    mask_end: float | None = None
    """Inpaint: where it ends, in seconds (190; Stable Audio 3: 380)."""
    seed: WholeNumber | None = None
    """0 to 4,294,967,294; the same seed and settings give a similar result. Unset or 0:
    random."""
    response_format: Literal["url", "inline"] | None = None
    """`inline` asks for JSON with base64 instead of raw bytes. Either way the result is a
    local file."""


_IMAGE_RATIOS = (
    "Width:height: 21:9, 16:9, 3:2, 5:4, 1:1 (default), 4:5, 2:3, 9:16 or 9:21; text-to-image only."
)

OFFERS = (
    Offer(
        "image",
        ImageOptions,
        {"prompt": None, "aspect_ratio": _IMAGE_RATIOS, "response_format": None},
        summary="Stability makes one image and can start from an input image (image with "
        "strength), with a negative prompt and a style preset",
    ),
    Offer(
        "edit",
        EditOptions,
        {"prompt": "inpaint: what to paint where the mask is; search-replace: what to put in "
         "place of `search`; recolor: the new colours; outpaint, relight: optional guidance. "
         "Not needed for erase and remove-background.",
         "images": "The image to edit: a list of exactly one.", "response_format": None},
        summary="Stability applies one operation (op) to one image: erase, inpaint (default), "
        "outpaint, search-replace, recolor, remove-background or relight (new background and "
        "light)",
        names_model=False,
    ),
    Offer(
        "upscale",
        UpscaleOptions,
        {"image": "The image to upscale (JPEG, PNG or WEBP).",
         "prompt": "conservative and creative: what the image shows (required); fast takes "
         "none."},
        summary="Stability upscales: mode fast (4x, about a second), conservative (to 4 MP, "
        "keeping the image as it is; needs a prompt) or creative (up to 4K, re-imagining detail "
        "from a small or degraded image; needs a prompt; takes a minute or so)",
        names_model=False,
    ),
    Offer(
        "control",
        ControlOptions,
        {"image": None, "prompt": None},
        summary="Stability follows a control image: mode sketch (follow a sketch's lines), "
        "structure (keep an image's layout), style (take an image's style) or style-transfer "
        "(redraw image in style_image's style)",
        names_model=False,
    ),
    Offer(
        "music",
        MusicOptions,
        {"prompt": "The sound or music to make, in English, up to 10,000 characters.",
         "reference": "Audio-to-audio or inpaint: the input track (MP3 or WAV, 6–190 s).",
         "output_format": None},
        summary="Stability's Stable Audio makes music or sound from an English prompt (with a "
        "reference: audio-to-audio; with mask_start/mask_end: regenerate a part of it)",
        model_note="stable-audio-3 makes up to 380 s",
    ),
)  # fmt: skip
