"""Stable Image edit routes in the emulator (§4): erase, inpaint, outpaint, search-and-replace,
search-and-recolor, remove-background, and the async replace-background-and-relight. Not the
shared route machinery (image.py)."""

from __future__ import annotations

from .image import EDIT, EDIT_RATIO, ImageRoute, Values, size_of
from .wire import (
    OUTPUT_FORMAT,
    SEED,
    STYLE_PRESET,
    Param,
    Pixels,
    bad,
    enum,
    image,
    number,
    text,
)

_PATH = "/v2beta/stable-image/edit/"
# A mask of another size is resized by the service, so any readable image will do.
_ANY = Pixels(min_side=1, min_px=1, max_px=None)
_BASE = {"seed": SEED, "output_format": OUTPUT_FORMAT}
_DIRECTIONS = ("left", "right", "up", "down")


def _outpaint_rule(values: Values) -> None:
    if not any(values.get(side) for side in _DIRECTIONS):
        bad("left, right, up, down: at least one must be above 0")


def _outpaint_size(values: Values) -> tuple[int, int]:
    width, height = values["image"][1], values["image"][2]
    width += int(values.get("left", 0)) + int(values.get("right", 0))
    height += int(values.get("up", 0)) + int(values.get("down", 0))
    return width, height


def _relight_rule(values: Values) -> None:
    if "background_prompt" not in values and "background_reference" not in values:
        bad("background_prompt: is required unless background_reference is sent")
    lit = "light_reference" in values or "light_source_direction" in values
    if "light_source_strength" in values and not lit:
        bad("light_source_strength: only with light_reference or light_source_direction")


def _search(select: str) -> dict[str, Param]:
    return {
        **_BASE,
        "image": image(EDIT_RATIO, required=True),
        "prompt": text(required=True),
        select: text(required=True),
        "negative_prompt": text(),
        "grow_mask": number(0, 20, integer=True),
        "style_preset": STYLE_PRESET,
    }


ROUTES = (
    ImageRoute(
        _PATH + "erase",
        "erase",
        {
            **_BASE,
            "image": image(EDIT, required=True),
            "mask": image(_ANY),
            "grow_mask": number(0, 20, integer=True),
        },
        size_of("image"),
    ),
    ImageRoute(
        _PATH + "inpaint",
        "inpaint",
        {
            **_BASE,
            "image": image(EDIT, required=True),
            "prompt": text(required=True),
            "mask": image(_ANY),
            "negative_prompt": text(),
            "grow_mask": number(0, 100, integer=True),
            "style_preset": STYLE_PRESET,
        },
        size_of("image"),
    ),
    ImageRoute(
        _PATH + "outpaint",
        "outpaint",
        {
            **_BASE,
            "image": image(EDIT_RATIO, required=True),
            **{side: number(0, 2000, integer=True) for side in _DIRECTIONS},
            "prompt": text(),
            "creativity": number(0, 1),
            "style_preset": STYLE_PRESET,
        },
        _outpaint_size,
        _outpaint_rule,
    ),
    ImageRoute(
        _PATH + "search-and-replace",
        "search-and-replace",
        _search("search_prompt"),
        size_of("image"),
    ),
    ImageRoute(
        _PATH + "search-and-recolor",
        "search-and-recolor",
        _search("select_prompt"),
        size_of("image"),
    ),
    ImageRoute(
        _PATH + "remove-background",
        "remove-background",
        {
            "image": image(Pixels(max_px=4_194_304), required=True),
            "output_format": enum("png", "webp"),
        },
        size_of("image"),
        alpha=True,
    ),
    ImageRoute(
        _PATH + "replace-background-and-relight",
        "replace-background-and-relight",
        {
            **_BASE,
            "subject_image": image(EDIT_RATIO, required=True),
            "background_prompt": text(),
            "background_reference": image(EDIT),
            "foreground_prompt": text(),
            "negative_prompt": text(),
            "preserve_original_subject": number(0, 1),
            "original_background_depth": number(0, 1),
            "keep_original_background": enum("true", "false"),
            "light_source_direction": enum("left", "right", "above", "below"),
            "light_reference": image(EDIT),
            "light_source_strength": number(0, 1),
        },
        size_of("subject_image"),
        _relight_rule,
        asynchronous=True,
    ),
)
