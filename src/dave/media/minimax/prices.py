"""MiniMax's list prices and the charge of one MiniMax job; None where no price was found."""

from __future__ import annotations

from dave.media.prices import Charge

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
