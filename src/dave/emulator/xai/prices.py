"""What the x.ai emulator charges, in `usage.cost_in_usd_ticks`, by the rules of xai.md §8.
One table per medium and one function per rule; the routes only call them. Not the client's
list prices (dave.media.prices), which the emulator must not import."""

from __future__ import annotations

# xai.md §1/§8: usage.cost_in_usd_ticks counts 1e-10 USD.
TICKS_PER_USD = 10_000_000_000

# USD per image (xai.md §8): $0.02 for grok-imagine-image; $0.05 for -quality (a relay's
# quote). §8 calls the price flat per image; models it does not price take the base $0.02.
IMAGE_USD = {"grok-imagine-image": 0.02, "grok-imagine-image-quality": 0.05}
BASE_IMAGE_USD = 0.02

# USD per output second, by model and resolution (xai.md §8).
VIDEO_USD_PER_S = {
    "grok-imagine-video": {"480p": 0.05, "720p": 0.07},
    "grok-imagine-video-1.5": {"480p": 0.08, "720p": 0.14, "1080p": 0.25},
}


# USD per still image a video takes in (first/last frame, references, keyframes), and per
# second of the video an extension continues (xai.md §8, from third parties' quotes).
VIDEO_INPUT_IMAGE_USD = {"grok-imagine-video": 0.002, "grok-imagine-video-1.5": 0.01}
EXTENSION_INPUT_USD_PER_S = 0.01


def _ticks(usd: float) -> int:
    return round(usd * TICKS_PER_USD)


def image_ticks(model: str, outputs: int, inputs: int = 0) -> int:
    """A generation bills each output image; an edit bills its input image(s) and its output
    (xai.md §8: "input image(s) + output image billed"), inputs at the same per-image price."""
    return _ticks((outputs + inputs) * IMAGE_USD.get(model, BASE_IMAGE_USD))


def video_ticks(
    model: str,
    resolution: str,
    seconds: float,
    *,
    input_images: int = 0,
    input_seconds: float = 0.0,
) -> int:
    """A video bills its output seconds at the model's price for its resolution, each still
    image it takes in, and (an extension) each second of the video it continues (xai.md §8)."""
    usd = VIDEO_USD_PER_S[model][resolution] * seconds
    usd += VIDEO_INPUT_IMAGE_USD.get(model, 0.0) * input_images
    usd += EXTENSION_INPUT_USD_PER_S * input_seconds
    return _ticks(usd)
