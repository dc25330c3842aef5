"""Stable Image in the emulator: generate (ultra, core, sd3), upscale and control routes, the
shared way an image route reads, checks and answers. Edit routes live in edit.py;
async polling in results.py; the pictures in picture.py."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..makers import IMAGE_MIME, parse_ratio
from .picture import render
from .results import start_job
from .wire import (
    ASPECT_RATIOS,
    OUTPUT_FORMAT,
    SEED,
    STYLE_PRESET,
    MiB,
    Param,
    Pixels,
    bad,
    check_form,
    endpoint,
    enum,
    image,
    media_answer,
    number,
    outcome,
    pick_seed,
    read_form,
    text,
    wants_json,
)

Values = Mapping[str, Any]
SizeRule = Callable[[Values], tuple[int, int]]
IMAGE_BODY_LIMIT = 10 * MiB
ONE_MP = 1024 * 1024
EDIT = Pixels()
EDIT_RATIO = Pixels(aspect=True)
SD3_MODELS = (
    "sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash",
    # Re-routed to the 3.5 models since 2025-04-17 (§3).
    "sd3-large", "sd3-large-turbo", "sd3-medium",
)  # fmt: skip


def at_ratio(ratio: float, pixels: int = ONE_MP) -> tuple[int, int]:
    """About `pixels` at this width/height ratio, in multiples of 64."""
    return (
        max(64, round(math.sqrt(pixels * ratio) / 64) * 64),
        max(64, round(math.sqrt(pixels / ratio) / 64) * 64),
    )


def size_of(field: str) -> SizeRule:
    """The output keeps the size of the image in `field`."""
    return lambda values: (values[field][1], values[field][2])


def ratio_of(field: str, pixels: int = ONE_MP) -> SizeRule:
    """About `pixels` at the ratio of the image in `field` (else of `aspect_ratio`)."""

    def size(values: Values) -> tuple[int, int]:
        if field in values:
            return at_ratio(values[field][1] / values[field][2], pixels)
        return at_ratio(parse_ratio(values.get("aspect_ratio", "1:1")), pixels)

    return size


@dataclass(frozen=True)
class ImageRoute:
    """One Stable Image route: its fields, the cross-field rules, the output size."""

    path: str
    name: str
    params: Mapping[str, Param]
    size: SizeRule
    rule: Callable[[Values], None] | None = None
    asynchronous: bool = False
    alpha: bool = False

    def handler(self) -> Route:
        @endpoint
        async def handle(request: Request) -> Response:
            form = await read_form(request, IMAGE_BODY_LIMIT)
            values = check_form(form, self.params)
            if self.rule is not None:
                self.rule(values)
            width, height = self.size(values)
            fmt = values.get("output_format", "png")
            seed = pick_seed(values)
            prompt = values.get("prompt") or values.get("background_prompt") or self.name
            if self.asynchronous:
                return start_job(request, self.name, fmt, seed, prompt, width=width, height=height)
            as_json = wants_json(request, "image")
            fault = outcome(request)
            moderated = fault is not None and fault.kind == "moderated"
            source = values["image"][0].data if "image" in values else None
            data = await asyncio.to_thread(
                render, prompt, width, height, fmt, alpha=self.alpha, blurred=moderated,
                source=source, upscale=self.name.startswith("upscale"),
            )  # fmt: skip
            reason = "CONTENT_FILTERED" if moderated else "SUCCESS"
            mime = IMAGE_MIME[fmt]
            return media_answer(data, mime, seed, as_json=as_json, medium="image", reason=reason)

        return Route(self.path, handle, methods=["POST"])


def _strength_with_image(values: Values) -> None:
    if "image" in values and "strength" not in values:
        bad("strength: is required when an image is sent")
    if "strength" in values and "image" not in values:
        bad("strength: only with an image")


def _sd3_rule(values: Values) -> None:
    image_to_image = values.get("mode") == "image-to-image"
    if image_to_image != ("image" in values):
        bad("mode: image-to-image goes with an image, text-to-image without one")
    if image_to_image and "aspect_ratio" in values:
        bad("aspect_ratio: only for text-to-image")
    _strength_with_image(values)


_GENERATE: dict[str, Param] = {
    "prompt": text(required=True),
    "negative_prompt": text(),
    "aspect_ratio": enum(*ASPECT_RATIOS),
    "seed": SEED,
    "output_format": OUTPUT_FORMAT,
    "style_preset": STYLE_PRESET,
}
_WITH_IMAGE = {"strength": number(0, 1)}
_UPSCALE = {"prompt": text(required=True), "negative_prompt": text(), "seed": SEED}
_CONTROL = {
    "prompt": text(required=True),
    "negative_prompt": text(),
    "seed": SEED,
    "output_format": OUTPUT_FORMAT,
    "style_preset": STYLE_PRESET,
}
_GEN = "/v2beta/stable-image/generate/"
_UP = "/v2beta/stable-image/upscale/"
_CTL = "/v2beta/stable-image/control/"
_TRANSFER_PIXELS = Pixels(max_side=16_383)


def _fast_size(values: Values) -> tuple[int, int]:
    """4× the input, capped at 16 MP."""
    width, height = values["image"][1], values["image"][2]
    scale = min(4.0, math.sqrt(16 * ONE_MP / (width * height)))
    return int(width * scale), int(height * scale)


def _creative_size(values: Values) -> tuple[int, int]:
    """4× the input (at most 1 MP), the long side capped at 4K."""
    width, height = values["image"][1], values["image"][2]
    scale = min(4.0, 4096 / max(width, height))
    return int(width * scale), int(height * scale)


ROUTES = (
    ImageRoute(
        _GEN + "ultra",
        "stable-image-ultra",
        {**_GENERATE, "image": image(Pixels(max_side=16_384, max_px=None)), **_WITH_IMAGE},
        ratio_of("image"),
        _strength_with_image,
    ),
    ImageRoute(_GEN + "core", "stable-image-core", _GENERATE, ratio_of("-", 1536 * 1536)),
    ImageRoute(
        _GEN + "sd3",
        "sd3",
        {
            **_GENERATE,
            "image": image(Pixels(max_px=None)),
            **_WITH_IMAGE,
            "mode": enum("text-to-image", "image-to-image"),
            "model": enum(*SD3_MODELS),
            "cfg_scale": number(1, 10),
        },
        ratio_of("image"),
        _sd3_rule,
    ),
    ImageRoute(
        _UP + "fast",
        "upscale-fast",
        {
            "image": image(
                Pixels(min_side=32, max_side=1536, min_px=1024, max_px=ONE_MP), required=True
            ),
            "output_format": OUTPUT_FORMAT,
        },
        _fast_size,
    ),
    ImageRoute(
        _UP + "conservative",
        "upscale-conservative",
        {
            **_UPSCALE,
            "image": image(EDIT_RATIO, required=True),
            "output_format": OUTPUT_FORMAT,
            "creativity": number(0.2, 0.5),
        },
        ratio_of("image", 4 * ONE_MP),
    ),
    ImageRoute(
        _UP + "creative",
        "upscale-creative",
        {
            **_UPSCALE,
            "image": image(Pixels(max_px=ONE_MP), required=True),
            "output_format": OUTPUT_FORMAT,
            "creativity": number(0.1, 0.5),
            "style_preset": STYLE_PRESET,
        },
        _creative_size,
        asynchronous=True,
    ),
    *(
        ImageRoute(
            _CTL + mode,
            f"control-{mode}",
            {
                **_CONTROL,
                "image": image(EDIT_RATIO, required=True),
                "control_strength": number(0, 1),
            },
            size_of("image"),
        )
        for mode in ("sketch", "structure")
    ),
    ImageRoute(
        _CTL + "style",
        "control-style",
        {
            **_CONTROL,
            "image": image(EDIT_RATIO, required=True),
            "aspect_ratio": enum(*ASPECT_RATIOS),
            "fidelity": number(0, 1),
        },
        ratio_of("-"),
    ),
    ImageRoute(
        _CTL + "style-transfer",
        "style-transfer",
        {
            "init_image": image(Pixels(max_side=16_383, aspect=True), required=True),
            "style_image": image(_TRANSFER_PIXELS, required=True),
            "prompt": text(),
            "negative_prompt": text(),
            "seed": SEED,
            "style_strength": number(0, 1),
            "composition_fidelity": number(0, 1),
            "change_strength": number(0.1, 1),
            "output_format": OUTPUT_FORMAT,
        },
        ratio_of("init_image"),
    ),
)
