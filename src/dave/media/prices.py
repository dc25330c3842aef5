"""What a job is expected to cost, in the unit its provider bills: dollars or credits.

Every provider's price table lives here, each with its source and the date it was read
(x.ai's is read by capabilities.estimate_cost). Not for checking requests:
the rules modules call the price functions below once a request has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypeGuard, get_args

#: USD for x.ai and MiniMax (global site); credits for Stability (1 credit = $0.01 on its
#: pricing page).
Unit = Literal["usd", "credits"]
USD_PER_CREDIT = 0.01


def is_unit(value: object) -> TypeGuard[Unit]:
    """Whether `value` names a price unit (as a journaled job's `price_unit` may)."""
    return value in get_args(Unit)


@dataclass(frozen=True, slots=True)
class Charge:
    """A documented list price for one job: `amount` in `unit`, and how it was reached."""

    amount: float
    unit: Unit
    #: A short account such as "8 credits × 1 image" or "$0.05/s × 6 s".
    basis: str = ""
    #: The price rests on an assumption (a third party's quote, an unpublished part), not on
    #: the provider's own documents: listings mark it as an estimate.
    estimate: bool = False

    @property
    def usd(self) -> float:
        """The charge in dollars (credits at Stability's $0.01 each)."""
        return self.amount if self.unit == "usd" else round(self.amount * USD_PER_CREDIT, 6)

    def text(self) -> str:
        """`$0.0200` or `8 credits`: the charge as a listing shows it."""
        if self.unit == "usd":
            return f"${self.amount:.4f}"
        return f"{self.amount:g} credits"


def job_usd(job: Any) -> float:
    """A journaled job's one figure in dollars: its list price (credits at $0.01 each), else
    what the provider reported it charged, else nothing."""
    if job.price is not None and job.price_unit in ("usd", "credits"):
        return Charge(job.price, job.price_unit).usd
    return float(job.cost_usd or 0.0)


# --- x.ai ------------------------------------------------------------------------------------
# Tags as in xai.md §8: [DOCS] docs.x.ai, [SEED] the docs copy in the seed, [3P] resellers that
# claim list-price parity. Check before quoting as fact. capabilities.estimate_cost reads these.

PRICES_AS_OF = "2026-11-27"


@dataclass(frozen=True, slots=True)
class Price:
    """A list price in USD per unit."""

    usd: float
    unit: Literal["image", "second", "input image", "input second"]
    source: str

    @property
    def documented(self) -> bool:
        """Read in x.ai's own documents (or their copy in the seed), not a third party's."""
        return "[DOCS" in self.source or "[SEED]" in self.source


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


# --- MiniMax ---------------------------------------------------------------------------------
# MiniMax's own pay-as-you-go page (platform.minimax.io/docs/guides/pricing-paygo) exists, but
# only its LLM table could be read from the stored copies; the numbers below are what public
# third-party pages say, each tagged with its page. [3P skill]: a MiniMax generation reference
# in a public skills folder (renolation/english .opencode/skills/ai-multimodal/references/
# minimax-generation.md, "Cost: $0.25 (6s/768p), $0.52 (10s/768p)", "~$0.03/image");
# [3P wavespeed]: wavespeed.ai's Hailuo 02 Standard page (6 s $0.23, 10 s $0.56 at 768p).
# Nothing found for 512P/1080P, the 01 series, Hailuo-2.3-Fast, music or lyrics: those jobs
# carry no price (None) rather than a guess. Check against MiniMax's page before quoting.

MINIMAX_PRICES_AS_OF = "2026-11-27"

#: USD per image.
MINIMAX_IMAGE_USD: dict[str, tuple[float, str]] = {
    "image-01": (0.03, "[3P skill] ~$0.03/image"),
}
#: USD per video, by (model, resolution, seconds).
MINIMAX_VIDEO_USD: dict[tuple[str, str, int], tuple[float, str]] = {
    ("MiniMax-Hailuo-2.3", "768P", 6): (0.25, "[3P skill]"),
    ("MiniMax-Hailuo-2.3", "768P", 10): (0.52, "[3P skill]"),
    ("MiniMax-Hailuo-02", "768P", 6): (0.23, "[3P wavespeed]"),
    ("MiniMax-Hailuo-02", "768P", 10): (0.56, "[3P wavespeed]"),
}


def minimax_charge(
    kind: str,
    model: str,
    *,
    n: int = 1,
    resolution: str | None = None,
    duration: int | None = None,
) -> Charge | None:
    """The list price of one MiniMax job in USD; None where no price was found."""
    if kind == "image":
        found = MINIMAX_IMAGE_USD.get(model)
        if found is None:
            return None
        usd, source = found
        return Charge(round(usd * n, 6), "usd", f"${usd:g}/image × {n} {source}", estimate=True)
    if kind == "video" and resolution is not None and duration is not None:
        video = MINIMAX_VIDEO_USD.get((model, resolution, duration))
        if video is None:
            return None
        usd, source = video
        basis = f"${usd:g} per {duration} s {resolution} video {source}"
        return Charge(usd, "usd", basis, estimate=True)
    return None


# --- Stability AI ----------------------------------------------------------------------------
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
