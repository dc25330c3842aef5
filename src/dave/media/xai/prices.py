"""x.ai's list prices (../shared/api/xai.md §8) and the charge of one x.ai job.

Not for checking requests: validation calls xai_charge once a request has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from dave.core.errors import InvalidRequest
from dave.media.model_rows import ModelCapability
from dave.media.prices import Charge, Price
from dave.media.xai.models import DEFAULTS, ROWS
from dave.media.xai.options import VideoOptions

if TYPE_CHECKING:
    from dave.media.requests import EditRequest, ImageRequest, VideoRequest

# Tags as in xai.md §8: [DOCS] docs.x.ai, [SEED] the docs copy in the seed, [3P] resellers that
# claim list-price parity. Check before quoting as fact. xai_charge reads these.

PRICES_AS_OF = "2026-11-27"


IMAGE_PRICES: Mapping[tuple[str, str], Price] = MappingProxyType(
    {
        ("xai", "grok-imagine-image"): Price(0.02, "image", "[SEED] flat, [DOCS images card]"),
        ("xai", "grok-imagine-image-quality"): Price(0.05, "image", "[3P atlascloud]"),
    }
)

VIDEO_PRICES: Mapping[tuple[str, str, str], Price] = MappingProxyType(
    {
        ("xai", "grok-imagine-video", "480p"): Price(0.05, "second", "[DOCS] [3P Cloudflare]"),
        ("xai", "grok-imagine-video", "720p"): Price(0.07, "second", "[3P Cloudflare, krea, fal]"),
        ("xai", "grok-imagine-video-1.5", "480p"): Price(0.08, "second", "[3P muapi]"),
        ("xai", "grok-imagine-video-1.5", "720p"): Price(0.14, "second", "[3P muapi]"),
        ("xai", "grok-imagine-video-1.5", "1080p"): Price(0.25, "second", "[3P inference.sh]"),
    }
)

VIDEO_INPUT_IMAGE_PRICES: Mapping[tuple[str, str], Price] = MappingProxyType(
    {
        ("xai", "grok-imagine-video"): Price(0.002, "input image", "[3P apiyi]"),
        ("xai", "grok-imagine-video-1.5"): Price(0.01, "input image", "[3P inference.sh]"),
    }
)

#: x.ai bills an extension's input video per second [3P fal].
EXTENSION_INPUT_PRICE = Price(0.01, "input second", "[3P fal]")


_ROWS = {row.model: row for row in ROWS}


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
    model = request.model or DEFAULTS.get(request.kind)
    row = _ROWS.get(model or "") if request.provider == "xai" else None
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
    inputs = _input_images(request)
    input_price = VIDEO_INPUT_IMAGE_PRICES.get((row.provider, row.model))
    if inputs and input_price is not None:
        cost += input_price.usd * inputs
        basis.append(f"${input_price.usd:g} × {inputs} input image(s) {input_price.source}")
        estimate = estimate or not input_price.documented
    return Charge(round(cost, 6), "usd", " + ".join(basis), estimate=estimate)


def _input_images(request: VideoRequest) -> int:
    """How many still images go in (first/last frame, references, keyframes)."""
    options = VideoOptions.of(request)
    frames = (request.image is not None) + (request.last_frame is not None)
    return frames + len(options.references) + len(options.keyframes)
