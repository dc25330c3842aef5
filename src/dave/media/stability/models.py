"""Stability AI's media models, one row per route (../shared/api/stability.md §3–§7), and
which one dave uses for each kind. Prices beside this module."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dave.media.model_rows import ModelCapability

# One row per route: an edit operation, an upscale or a control mode is its own "model", so
# jobs, prices and `dave cost` name the route that ran. Rules live in stability_rules.py.


def _st(model: str, kinds: tuple[str, ...], note: str) -> ModelCapability:
    return ModelCapability("stability", model, kinds, note=note)


ROWS = (
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

DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "image": "stable-image-core",
        "edit": "inpaint",
        "upscale": "upscale-fast",
        "control": "control-sketch",
        # stable-audio-2.5, not the API's default stable-audio-2: same price band, 4–8 steps.
        "music": "stable-audio-2.5",
    }
)

#: How dave names the provider: in full (tool descriptions) and short (messages).
LABEL = "Stability AI"
SHORT_LABEL = "Stability"
#: Where the provider's API sits on the built-in emulator (under a prefix, beside the others).
OFFLINE_PREFIX = "/stability"
