"""The request models are built from the shared fields and every provider's options: each field
says what each provider takes, conflicting definitions are refused, and the registry's kinds
match the slices' models."""

from __future__ import annotations

from typing import Any

import pytest

from dave.core.errors import InvalidRequest
from dave.core.settings import load_settings
from dave.media import catalog
from dave.media.capabilities import models
from dave.media.options import Offer, Options, StrictModel, with_options
from dave.media.requests import SHARED, ImageRequest, VideoRequest, request_model


def test_a_field_two_providers_add_says_what_each_takes() -> None:
    about = ImageRequest.model_fields["seed"].description or ""
    assert about.startswith("MiniMax: ")
    assert "Stability: 0 to 4,294,967,294" in about
    assert ImageRequest.model_fields["negative_prompt"].description.startswith("Stability: ")


def test_a_provider_option_is_set_and_read_through_its_slice() -> None:
    from dave.media.stability.options import ImageOptions

    request = ImageRequest(provider="stability", prompt="a fox", negative_prompt="rain", seed=7)
    options = ImageOptions.of(request)
    assert (options.negative_prompt, options.seed, options.cfg_scale) == ("rain", 7, None)


def test_an_unknown_field_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InvalidRequest, match=r"unknown field 'sed'; known fields: kind, "):
        ImageRequest(prompt="a fox", sed=1)


def test_sources_are_found_in_nested_models_and_lists_in_field_order() -> None:
    request = VideoRequest(
        prompt="p",
        image="first.png",
        references=[],
        keyframes=[{"image": "k0.png", "at_s": 1}, {"image": "k1.png", "at_s": 2}],
    )
    assert request.source_fields() == [
        ("image", "first.png", "image"),
        ("keyframes[0].image", "k0.png", "image"),
        ("keyframes[1].image", "k1.png", "image"),
    ]


class _Int(Options):
    size: int | None = None
    """Pixels."""


class _Text(Options):
    size: str | None = None
    """A size word."""


class _Shared(StrictModel):
    kind: str = "probe"
    prompt: str = ""


def _offer(options: type[Options]) -> Offer:
    return Offer("probe", options, {"prompt": None}, summary="probes")


def test_two_providers_giving_one_field_different_types_are_refused() -> None:
    with pytest.raises(TypeError, match="'size' different types"):
        with_options(
            "Probe", _Shared, {"a": _offer(_Int), "b": _offer(_Text)}, {"a": "A", "b": "B"}
        )


def test_an_option_may_not_redefine_a_shared_field() -> None:
    class _Prompt(Options):
        prompt: int = 0
        """A number."""

    with pytest.raises(TypeError, match="redefine the shared field 'prompt'"):
        with_options("Probe", _Shared, {"a": _offer(_Prompt)}, {"a": "A"})


def test_a_merged_model_takes_each_providers_fields() -> None:
    built: Any = with_options("Probe", _Shared, {"a": _offer(_Int)}, {"a": "A"})
    assert built(size=3).size == 3
    assert built.model_fields["size"].description == "A: Pixels."
    assert _Int.model_fields["size"].description == "Pixels."  # the slice's own field is untouched


@pytest.mark.parametrize("provider", [s.name for s in catalog.slices()])
def test_each_provider_offers_exactly_the_kinds_its_models_make(provider: str) -> None:
    offered = set(catalog.get(provider).offers)
    made = {kind for kind in SHARED if models(provider, kind)}
    assert offered == made
    for kind, offer in catalog.get(provider).offers.items():
        fields = request_model(kind).model_fields
        assert set(offer.fields()) <= set(fields), (provider, kind)
        for name in offer.fields():
            assert offer.about(name, SHARED[kind]), (provider, kind, name)


def test_an_unknown_provider_is_one_clear_line() -> None:
    with pytest.raises(InvalidRequest, match=r"unknown provider 'openai'; use one of xai, minimax"):
        catalog.get("openai")


def test_every_providers_key_and_address_follow_one_pattern(tmp_path: Any) -> None:
    (tmp_path / "config.toml").write_text(
        '[keys]\nminimax = "from-config"\n[stability]\nbase_url = "http://127.0.0.1:9/"\n'
    )
    env = {"DAVE_HOME": str(tmp_path), "XAI_API_KEY": "from-env", "MINIMAX_API_KEY": ""}
    settings = load_settings(env)
    assert settings.key("xai").reveal() == "from-env"
    assert settings.key("minimax").reveal() == "from-config"  # an empty variable does not win
    slice_ = catalog.get("stability")
    assert settings.base_url("stability", slice_.default_base_url) == "http://127.0.0.1:9"
    assert settings.base_url("xai", catalog.get("xai").default_base_url).startswith("https://")
    assert [s.key_variable for s in catalog.slices()] == [
        "XAI_API_KEY",
        "MINIMAX_API_KEY",
        "STABILITY_API_KEY",
    ]
