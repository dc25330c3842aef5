"""What an agent's model costs: USD per million tokens, and the cost of one completion's usage.

Not for media prices (dave.media.prices and each provider's slice) nor for adding up a run's
costs (run.py): this only turns token counts into dollars.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# USD per million tokens (input, output), as the providers list them. A model not here has no
# known price: its runs report no cost and a budget cannot stop them.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "dave-emulator": (0.0, 0.0),
    "grok-4-1-fast-reasoning": (0.20, 0.50),
    "grok-4-1-fast-non-reasoning": (0.20, 0.50),
    "grok-4-fast-reasoning": (0.20, 0.50),
    "grok-4-fast-non-reasoning": (0.20, 0.50),
    "grok-code-fast-1": (0.20, 1.50),
    "grok-4": (3.00, 15.00),
    "grok-4-0709": (3.00, 15.00),
    "grok-3-mini": (0.30, 0.50),
    "MiniMax-M2": (0.30, 1.20),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}


def price_of(model: str) -> Callable[[Mapping[str, int]], float | None]:
    prices = PRICES_PER_MTOK.get(model)

    def cost(usage: Mapping[str, int]) -> float | None:
        if prices is None:
            return None
        prompt = int(usage.get("prompt_tokens") or 0)
        completion = int(usage.get("completion_tokens") or 0)
        return (prompt * prices[0] + completion * prices[1]) / 1_000_000

    return cost
