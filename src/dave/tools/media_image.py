"""The image tools' parameters: generate_image, edit_image, upscale_image and control_image,
each marked with the providers that take it.

Not for checking values (the request models and the provider rules do, before any network
call) nor for building or running the tools (media_spec.py, media_run.py).
"""

from __future__ import annotations

from pydantic import BaseModel

from dave.media.requests import ControlRequest, EditRequest, ImageRequest, UpscaleRequest
from dave.tools.media_spec import Kind, Param, param, who

XAI, MINIMAX, STABILITY = "xai", "minimax", "stability"
_ALL = (XAI, MINIMAX, STABILITY)
_TUNED = (MINIMAX, STABILITY)

#: Descriptions the request models give for several providers at once, said for one.
SEED = {
    MINIMAX: "The same seed and settings give a similar result. Unset: random.",
    STABILITY: "0 to 4,294,967,294; the same seed and settings give a similar result. Unset "
    "or 0: random.",
}
IMAGE_FORMAT = "The file format: png (default), jpeg or webp."

_BILLED = "Each image is billed; the result gives each new asset's id, file path and size."


def _stability(model: type[BaseModel], name: str, *, source: bool = False) -> Param:
    """A Stability parameter, said for Stability where the request model speaks for several."""
    texts = {"seed": SEED[STABILITY], "output_format": IMAGE_FORMAT}
    return param(model, name, (STABILITY,), description=texts.get(name), source=source)


def _extras(providers: tuple[str, ...], notes: dict[str, str]) -> str:
    return "".join(f" {notes[p]}" for p in providers if p in notes)


def _image_text(providers: tuple[str, ...]) -> str:
    notes = {
        MINIMAX: "MiniMax can keep a person from a photo (subject).",
        STABILITY: "Stability can start from an input image (image with strength) and takes "
        "a negative prompt and a style preset.",
    }
    return f"Make images from a text prompt with {who(providers)}. {_BILLED}" + _extras(
        providers, notes
    )


IMAGE = Kind(
    kind="image",
    tool="generate_image",
    params=(
        param(ImageRequest, "prompt", _ALL),
        param(ImageRequest, "n", (XAI, MINIMAX)),
        param(ImageRequest, "aspect_ratio", (XAI,)),
        param(
            ImageRequest,
            "aspect_ratio",
            (MINIMAX,),
            description="Width:height: 1:1 (default), 16:9, 4:3, 3:2, 2:3, 3:4, 9:16, or 21:9 "
            "(image-01 only). Or give width and height instead.",
        ),
        param(
            ImageRequest,
            "aspect_ratio",
            (STABILITY,),
            description="Width:height: 21:9, 16:9, 3:2, 5:4, 1:1 (default), 4:5, 2:3, 9:16 or "
            "9:21; text-to-image only.",
        ),
        param(ImageRequest, "resolution", (XAI,)),
        param(ImageRequest, "quality", (XAI,)),
        param(ImageRequest, "width", (MINIMAX,)),
        param(ImageRequest, "height", (MINIMAX,)),
        param(ImageRequest, "subject", (MINIMAX,), source=True),
        param(ImageRequest, "prompt_optimizer", (MINIMAX,)),
        param(ImageRequest, "style", _TUNED),
        param(ImageRequest, "style_weight", (MINIMAX,)),
        param(ImageRequest, "seed", (MINIMAX,), description=SEED[MINIMAX]),
        param(ImageRequest, "seed", (STABILITY,), description=SEED[STABILITY]),
        param(ImageRequest, "negative_prompt", (STABILITY,)),
        param(ImageRequest, "image", (STABILITY,), source=True),
        param(ImageRequest, "strength", (STABILITY,)),
        param(ImageRequest, "cfg_scale", (STABILITY,)),
        param(ImageRequest, "output_format", (STABILITY,), description=IMAGE_FORMAT),
    ),
    describe=_image_text,
    model_notes={MINIMAX: "image-01-live takes an art style"},
)


def _edit_text(providers: tuple[str, ...]) -> str:
    ways = {
        XAI: "x.ai changes one to three images as the prompt says",
        STABILITY: "Stability applies one operation (op) to one image: erase, inpaint "
        "(default), outpaint, search-replace, recolor, remove-background or relight",
    }
    if len(providers) == 1:
        ways = {
            XAI: "Change one to three existing images as the prompt says, with x.ai Grok Imagine",
            STABILITY: "Edit one image with one of Stability AI's operations (op): erase, "
            "inpaint (default), outpaint, search-replace, recolor, remove-background or "
            "relight (new background and light)",
        }
    done = "; ".join(ways[p] for p in providers if p in ways)
    prefix = "" if len(providers) == 1 else f"Edit images with {who(providers)}: "
    return f"{prefix}{done}. The result gives each new asset's id, file path and size."


_STABILITY_EDIT = (
    "op",
    "mask",
    "grow_mask",
    "search",
    "left",
    "right",
    "up",
    "down",
    "creativity",
    "background_prompt",
    "background_reference",
    "foreground_prompt",
    "light_reference",
    "light_direction",
    "light_strength",
    "preserve_subject",
    "background_depth",
    "keep_background",
    "seed",
    "negative_prompt",
    "style",
    "output_format",
)
_EDIT_SOURCES = frozenset({"mask", "background_reference", "light_reference"})

EDIT = Kind(
    kind="edit",
    tool="edit_image",
    params=(
        param(
            ImageRequest, "prompt", (XAI,), description="What to change, in plain text; not empty."
        ),
        param(
            EditRequest,
            "prompt",
            (STABILITY,),
            description="inpaint: what to paint where the mask is; search-replace: what to put "
            "in place of `search`; recolor: the new colours; outpaint, relight: optional "
            "guidance. Not needed for erase and remove-background.",
        ),
        param(
            EditRequest,
            "images",
            (XAI,),
            description="The images to edit, 1-3, in the order the prompt refers to them.",
            source=True,
        ),
        param(
            EditRequest,
            "images",
            (STABILITY,),
            description="The image to edit: a list of exactly one.",
            source=True,
        ),
        param(ImageRequest, "n", (XAI,)),
        param(ImageRequest, "aspect_ratio", (XAI,)),
        *(_stability(EditRequest, name, source=name in _EDIT_SOURCES) for name in _STABILITY_EDIT),
    ),
    describe=_edit_text,
    # Stability's edit routes are chosen by `op`; only x.ai names a model for an edit.
    model_for=frozenset({XAI}),
)


def _upscale_text(providers: tuple[str, ...]) -> str:
    return (
        f"Make an image larger with {who(providers)}: mode fast (4x, about a second), "
        "conservative (to 4 MP, keeping the image as it is; needs a prompt) or creative (up to "
        "4K, re-imagining detail from a small or degraded image; needs a prompt; takes a "
        "minute or so). Billed per image; the result gives the new asset's id, path and size."
    )


UPSCALE = Kind(
    kind="upscale",
    tool="upscale_image",
    params=(
        param(
            UpscaleRequest,
            "image",
            (STABILITY,),
            description="The image to upscale (JPEG, PNG or WEBP).",
            source=True,
        ),
        *(
            _stability(UpscaleRequest, name)
            for name in ("mode", "prompt", "creativity", "seed", "negative_prompt")
        ),
        *(_stability(UpscaleRequest, name) for name in ("style", "output_format")),
    ),
    describe=_upscale_text,
    model_for=frozenset(),
)


def _control_text(providers: tuple[str, ...]) -> str:
    return (
        f"Make an image guided by another with {who(providers)}: mode sketch (follow a "
        "sketch's lines), structure (keep an image's layout), style (take an image's style) or "
        "style-transfer (redraw image in style_image's style). Billed per image; the result "
        "gives the new asset's id, path and size."
    )


CONTROL = Kind(
    kind="control",
    tool="control_image",
    params=tuple(
        _stability(ControlRequest, name, source=name in ("image", "style_image"))
        for name in (
            "image",
            "mode",
            "style_image",
            "prompt",
            "control_strength",
            "fidelity",
            "aspect_ratio",
            "style_strength",
            "composition_fidelity",
            "change_strength",
            "seed",
            "negative_prompt",
            "style",
            "output_format",
        )
    ),
    describe=_control_text,
    model_for=frozenset(),
)
