"""Stability AI's list prices in credits and the charge of one Stability job."""

from __future__ import annotations

from dave.media.prices import Charge

# Credits per successful job (1 credit = $0.01), from Stability's OpenAPI document as quoted in
# ../shared/api/stability.md §3–§7 [S]. Failed generations are not billed; a CONTENT_FILTERED
# answer presumably is [I]. Keyed by dave's model name, which is the route that ran.

STABILITY_PRICES_AS_OF = "2026-11-27"
STABILITY_PRICE_SOURCE = "Stability OpenAPI (tryAGI/StabilityAI openapi.yaml), stability.md"

STABILITY_CREDITS: dict[str, float] = {
    # §3 generate
    "stable-image-ultra": 8,
    "stable-image-core": 3,
    "sd3.5-large": 6.5,
    "sd3.5-large-turbo": 4,
    "sd3.5-medium": 3.5,
    "sd3.5-flash": 2.5,
    # §4 edit
    "erase": 5,
    "inpaint": 5,
    "outpaint": 4,
    "search-and-replace": 5,
    "search-and-recolor": 5,
    "remove-background": 5,
    "replace-background-and-relight": 8,
    # §5 upscale
    "upscale-fast": 2,
    "upscale-conservative": 40,
    "upscale-creative": 60,
    # §6 control
    "control-sketch": 5,
    "control-structure": 5,
    "control-style": 5,
    "style-transfer": 8,
    # §7 audio (stable-audio-2 is priced per step below)
    "stable-audio-2.5": 20,
    "stable-audio-3": 26,
}
#: Stable Audio 2: 17 credits plus 0.06 per sampling step (50 steps, the default: 20).
SA2_BASE_CREDITS = 17.0
SA2_CREDITS_PER_STEP = 0.06
SA2_DEFAULT_STEPS = 50


def stability_charge(model: str, *, steps: int | None = None) -> Charge | None:
    """The list price of one Stability job in credits; None for a model with no price."""
    if model == "stable-audio-2":
        used = steps if steps is not None else SA2_DEFAULT_STEPS
        amount = round(SA2_BASE_CREDITS + SA2_CREDITS_PER_STEP * used, 4)
        return Charge(amount, "credits", f"17 + 0.06 credits × {used} steps")
    credits = STABILITY_CREDITS.get(model)
    if credits is None:
        return None
    return Charge(credits, "credits", f"{credits:g} credits ({model})")
