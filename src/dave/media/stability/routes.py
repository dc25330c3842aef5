"""Stability's routes as data: for each dave model (one per route) its path, the request fields
it takes and the pixel limits of each source image, from ../shared/api/stability.md §3–§8.

Shared by the rules (stability_rules.py) and the driver. Not for checking or sending anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MiB = 1024 * 1024
#: Whole request body on image routes (413 payload_too_large above it) [S].
IMAGE_BODY_LIMIT = 10 * MiB
#: Audio-to-audio and inpaint request size: 50 MB (Stable Audio 2/2.5), 100 MB (3) [S].
AUDIO_BODY_LIMIT = {"stable-audio-2": 50_000_000, "stable-audio-2.5": 50_000_000}
AUDIO_BODY_LIMIT_SA3 = 100_000_000
MAX_PROMPT = 10_000
MAX_SEED = 4_294_967_294
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
STYLE_PRESETS = (
    "enhance", "anime", "photographic", "digital-art", "comic-book", "fantasy-art", "line-art",
    "analog-film", "neon-punk", "isometric", "low-poly", "origami", "modeling-compound",
    "cinematic", "3d-model", "pixel-art", "tile-texture",
)  # fmt: skip
IMAGE_FORMATS = ("png", "jpeg", "webp")
AUDIO_FORMATS = ("mp3", "wav")
#: Edit `op` → the route (dave model) it names.
EDIT_OPS: Mapping[str, str] = MappingProxyType(
    {
        "erase": "erase",
        "inpaint": "inpaint",
        "outpaint": "outpaint",
        "search-replace": "search-and-replace",
        "recolor": "search-and-recolor",
        "remove-background": "remove-background",
        "relight": "replace-background-and-relight",
    }
)
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
AUDIO_MODELS = ("stable-audio-2", "stable-audio-2.5", "stable-audio-3")


@dataclass(frozen=True, slots=True)
class Pixels:
    """What one source image must measure: sides, pixel count, and the 1:2.5–2.5:1 bound."""

    min_side: int = 64
    max_side: int | None = None
    min_px: int = 4_096
    max_px: int | None = 9_437_184
    aspect: bool = False

    def problem(self, width: int, height: int) -> str | None:
        """What is wrong with a `width`×`height` image, as the end of a sentence; None if fine."""
        if min(width, height) < self.min_side:
            return f"every side must be at least {self.min_side:,} px"
        if self.max_side is not None and max(width, height) > self.max_side:
            return f"every side must be at most {self.max_side:,} px"
        pixels = width * height
        if pixels < self.min_px:
            return f"it must have at least {self.min_px:,} pixels (has {pixels:,})"
        if self.max_px is not None and pixels > self.max_px:
            return f"it must have at most {self.max_px:,} pixels (has {pixels:,})"
        if self.aspect and not 1 / 2.5 <= width / height <= 2.5:
            return "its aspect ratio must be between 1:2.5 and 2.5:1"
        return None


EDIT_PIXELS = Pixels()
EDIT_PIXELS_RATIO = Pixels(aspect=True)


@dataclass(frozen=True, slots=True)
class Route:
    """One Stability route, named by the dave model that stands for it."""

    model: str
    path: str
    #: Request fields taken besides kind, provider, model, op/mode and the source fields.
    fields: frozenset[str]
    #: Limits of each source image, by request field (`images[0]`, `image`, `mask`, ...).
    pixels: Mapping[str, Pixels] = field(default_factory=dict)
    output_formats: tuple[str, ...] = IMAGE_FORMATS
    #: Fields that must be set (besides the sources).
    required: tuple[str, ...] = ()


_GEN = frozenset({"prompt", "n", "response_format", "seed", "negative_prompt"})
_GEN_OPTIONS = _GEN | {"aspect_ratio", "style", "output_format"}
_EDIT = frozenset({"n", "response_format", "seed", "output_format"})
_SEARCH = _EDIT | {"prompt", "search", "negative_prompt", "grow_mask", "style"}
_RELIGHT = _EDIT | {"prompt", "background_prompt", "foreground_prompt", "negative_prompt"} | {
    "light_direction", "light_strength", "preserve_subject", "background_depth",
    "keep_background",
}  # fmt: skip
_CONTROL = frozenset({"prompt", "negative_prompt", "seed", "output_format"})
_AUDIO = frozenset(
    {"prompt", "reference", "duration", "steps", "cfg_scale", "strength", "seed"}
    | {"mask_start", "mask_end", "output_format", "response_format"}
)


def _generate(model: str, path: str, extra: frozenset[str], *, image: Pixels | None) -> Route:
    pixels = {"image": image} if image else {}
    fields = _GEN_OPTIONS | extra | ({"image", "strength"} if image else set())
    return Route(model, path, fields, pixels, required=("prompt",))


_ULTRA_PIXELS = Pixels(max_side=16_384, max_px=None)
_SD3_PIXELS = Pixels(min_px=64 * 64, max_px=None)
_GEN_PATH = "/v2beta/stable-image/generate/"
_EDIT_PATH = "/v2beta/stable-image/edit/"
_UPSCALE_PATH = "/v2beta/stable-image/upscale/"
_CONTROL_PATH = "/v2beta/stable-image/control/"
_STYLE_TRANSFER_PIXELS = Pixels(max_side=16_383)

_ROUTES = (
    _generate("stable-image-ultra", _GEN_PATH + "ultra", frozenset(), image=_ULTRA_PIXELS),
    _generate("stable-image-core", _GEN_PATH + "core", frozenset(), image=None),
    *(
        _generate(model, _GEN_PATH + "sd3", frozenset({"cfg_scale"}), image=_SD3_PIXELS)
        for model in SD3_MODELS
    ),
    Route(
        "erase",
        _EDIT_PATH + "erase",
        _EDIT | {"grow_mask"},
        {"images[0]": EDIT_PIXELS, "mask": Pixels(min_side=1, min_px=1, max_px=None)},
    ),
    Route(
        "inpaint",
        _EDIT_PATH + "inpaint",
        _EDIT | {"prompt", "negative_prompt", "grow_mask", "style"},
        {"images[0]": EDIT_PIXELS, "mask": Pixels(min_side=1, min_px=1, max_px=None)},
        required=("prompt",),
    ),
    Route(
        "outpaint",
        _EDIT_PATH + "outpaint",
        _EDIT | {"prompt", "creativity", "style", "left", "right", "up", "down"},
        {"images[0]": EDIT_PIXELS_RATIO},
    ),
    Route(
        "search-and-replace",
        _EDIT_PATH + "search-and-replace",
        _SEARCH,
        {"images[0]": EDIT_PIXELS_RATIO},
        required=("prompt", "search"),
    ),
    Route(
        "search-and-recolor",
        _EDIT_PATH + "search-and-recolor",
        _SEARCH,
        {"images[0]": EDIT_PIXELS_RATIO},
        required=("prompt", "search"),
    ),
    Route(
        "remove-background",
        _EDIT_PATH + "remove-background",
        frozenset({"n", "response_format", "output_format"}),
        {"images[0]": Pixels(max_px=4_194_304)},
        output_formats=("png", "webp"),
    ),
    Route(
        "replace-background-and-relight",
        _EDIT_PATH + "replace-background-and-relight",
        _RELIGHT,
        {
            "images[0]": EDIT_PIXELS_RATIO,
            "background_reference": EDIT_PIXELS,
            "light_reference": EDIT_PIXELS,
        },
    ),
    Route(
        "upscale-fast",
        _UPSCALE_PATH + "fast",
        frozenset({"output_format"}),
        {"image": Pixels(min_side=32, max_side=1_536, min_px=1_024, max_px=1_048_576)},
    ),
    Route(
        "upscale-conservative",
        _UPSCALE_PATH + "conservative",
        frozenset({"prompt", "negative_prompt", "seed", "output_format", "creativity"}),
        {"image": EDIT_PIXELS_RATIO},
        required=("prompt",),
    ),
    Route(
        "upscale-creative",
        _UPSCALE_PATH + "creative",
        frozenset({"prompt", "negative_prompt", "seed", "output_format", "creativity", "style"}),
        {"image": Pixels(max_px=1_048_576)},
        required=("prompt",),
    ),
    Route(
        "control-sketch",
        _CONTROL_PATH + "sketch",
        _CONTROL | {"control_strength", "style"},
        {"image": Pixels(aspect=True)},
        required=("prompt",),
    ),
    Route(
        "control-structure",
        _CONTROL_PATH + "structure",
        _CONTROL | {"control_strength", "style"},
        {"image": EDIT_PIXELS_RATIO},
        required=("prompt",),
    ),
    Route(
        "control-style",
        _CONTROL_PATH + "style",
        _CONTROL | {"aspect_ratio", "fidelity", "style"},
        {"image": EDIT_PIXELS_RATIO},
        required=("prompt",),
    ),
    Route(
        "style-transfer",
        _CONTROL_PATH + "style-transfer",
        _CONTROL | {"style_strength", "composition_fidelity", "change_strength"},
        {
            "image": Pixels(max_side=16_383, aspect=True),
            "style_image": _STYLE_TRANSFER_PIXELS,
        },
        required=("style_image",),
    ),
    *(
        Route(model, "/v2beta/audio/", _AUDIO, output_formats=AUDIO_FORMATS, required=("prompt",))
        for model in AUDIO_MODELS
    ),
)
ROUTES: Mapping[str, Route] = MappingProxyType({route.model: route for route in _ROUTES})

#: Upscale and control `mode` → route.
UPSCALE_MODES: Mapping[str, str] = MappingProxyType(
    {mode: f"upscale-{mode}" for mode in ("fast", "conservative", "creative")}
)
CONTROL_MODES: Mapping[str, str] = MappingProxyType(
    {
        "sketch": "control-sketch",
        "structure": "control-structure",
        "style": "control-style",
        "style-transfer": "style-transfer",
    }
)


def audio_path(model: str, mode: str) -> str:
    """The path of an audio job: Stable Audio 2/2.5 under stable-audio-2/ (sync), 3 under
    stable-audio/ (async). `mode` is text-to-audio, audio-to-audio or inpaint."""
    family = "stable-audio" if model == "stable-audio-3" else "stable-audio-2"
    return f"/v2beta/audio/{family}/{mode}"
