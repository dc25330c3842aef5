"""What a model's tokens cost: a listed model's price per million tokens, none for an unlisted."""

from __future__ import annotations

import pytest

from dave.agents.prices import PRICES_PER_MTOK, price_of


def test_a_listed_model_costs_its_input_and_output_prices_per_million_tokens() -> None:
    cost = price_of("grok-4")
    assert PRICES_PER_MTOK["grok-4"] == (3.00, 15.00)
    usage = {"prompt_tokens": 1_000_000, "completion_tokens": 200_000, "total_tokens": 1_200_000}
    assert cost(usage) == pytest.approx(3.00 + 3.00)
    assert cost({}) == 0.0


def test_an_unlisted_model_has_no_price() -> None:
    assert price_of("no-such-model")({"prompt_tokens": 10, "completion_tokens": 10}) is None
