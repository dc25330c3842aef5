"""The capability table: rows, defaults, lookups and cost estimates."""

from __future__ import annotations

import dataclasses
import json

import pytest

from dave.core.errors import InvalidRequest
from dave.media import capabilities as caps
from dave.media.requests import EditRequest, ImageRequest, VideoRequest
from dave.media.xai import prices as xai_prices
from dave.media.xai.options import Keyframe

DOCUMENTED_IMAGE_RATIOS = (
    "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "2:1", "1:2",
    "19.5:9", "9:19.5", "20:9", "9:20", "auto",
)  # fmt: skip


def test_the_three_providers_in_order() -> None:
    assert caps.providers() == ("xai", "minimax", "stability")


def test_default_models_are_the_cheap_standard_ones() -> None:
    assert caps.default_model("xai", "image") == "grok-imagine-image"
    assert caps.default_model("xai", "edit") == "grok-imagine-image"
    assert caps.default_model("xai", "video") == "grok-imagine-video"


def test_an_unknown_model_names_the_known_ones() -> None:
    with pytest.raises(InvalidRequest) as caught:
        caps.capability("xai", "grok-imagine-video-9")
    message = str(caught.value)
    assert "unknown xai model 'grok-imagine-video-9'" in message
    assert "grok-imagine-image-quality" in message and "grok-imagine-video-1.5" in message


def test_an_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(InvalidRequest, match=r"unknown provider 'dall-e'; use one of xai"):
        caps.capability("dall-e", "x")
    with pytest.raises(InvalidRequest, match="unknown provider"):
        caps.default_model("nobody", "image")


def test_every_xai_image_model_takes_the_documented_ratios_and_sizes() -> None:
    for model in caps.models("xai", "image"):
        row = caps.capability("xai", model)
        assert row.image is not None
        assert row.image.aspect_ratios == DOCUMENTED_IMAGE_RATIOS
        assert row.image.resolutions == ("1k", "2k")
        assert (row.image.n.lo, row.image.n.hi) == (1, 10)


def test_only_image_2_0_has_quality_tiers() -> None:
    tiers = {m: caps.capability("xai", m).image.qualities for m in caps.models("xai", "image")}
    assert tiers.pop("grok-imagine-image-2.0") == ("low", "medium", "high")
    assert set(tiers.values()) == {()}


def test_the_pro_model_is_marked_deprecated() -> None:
    assert "grok-imagine-image-quality" in (
        caps.capability("xai", "grok-imagine-image-pro").deprecated or ""
    )
    assert caps.capability("xai", "grok-imagine-image").deprecated is None


def test_edits_take_three_sources_on_the_edit_models() -> None:
    assert caps.models("xai", "edit") == ("grok-imagine-image", "grok-imagine-image-quality")
    assert caps.capability("xai", "grok-imagine-image").image.max_edit_sources == 3


def test_1080p_is_only_on_video_1_5_text_and_image_modes() -> None:
    base = caps.capability("xai", "grok-imagine-video").video
    v15 = caps.capability("xai", "grok-imagine-video-1.5").video
    assert base is not None and v15 is not None
    assert all("1080p" not in mode.resolutions for mode in base.modes.values())
    assert v15.modes["text"].resolutions == ("480p", "720p", "1080p")
    assert v15.modes["image"].resolutions == ("480p", "720p", "1080p")
    assert v15.modes["reference"].resolutions == ("480p", "720p")


def test_video_limits_follow_the_docs() -> None:
    video = caps.capability("xai", "grok-imagine-video").video
    assert video is not None
    assert video.modes["text"].duration.text("s") == "1–15 s"
    assert video.modes["reference"].duration.text("s") == "1–10 s"
    assert video.modes["extend"].duration.text("s") == "2–10 s"
    assert video.modes["extend"].default_duration == 6
    assert video.modes["extend"].input_duration.text("s") == "2–15 s"
    assert video.modes["edit"].input_duration.hi == 8.7
    assert video.modes["edit"].duration is None
    assert video.max_references == 7 and video.max_prompt_chars == 4096
    assert (video.last_frame, video.max_keyframes, video.max_reference_audios) == (False, 0, 0)
    v15 = caps.capability("xai", "grok-imagine-video-1.5").video
    assert (v15.last_frame, v15.max_keyframes, v15.max_reference_audios) == (True, 4, 3)


def test_span_membership_refuses_bools_and_nan() -> None:
    span = caps.Span(1, 10)
    assert 1 in span and 10 in span and 5.5 in span
    assert 0 not in span and 11 not in span
    assert True not in span and float("nan") not in span and "5" not in span


def test_prices_carry_a_date_and_a_source() -> None:
    from dave.media.minimax import prices as minimax_prices
    from dave.media.stability import prices as stability_prices
    from dave.media.xai import prices as xai_prices

    for as_of in (
        xai_prices.PRICES_AS_OF,
        minimax_prices.MINIMAX_PRICES_AS_OF,
        stability_prices.STABILITY_PRICES_AS_OF,
    ):
        assert as_of.count("-") == 2
    for price in [*xai_prices.IMAGE_PRICES.values(), *xai_prices.VIDEO_PRICES.values()]:
        assert price.usd > 0 and price.source.startswith("[")


@pytest.mark.parametrize(
    ("request_", "usd"),
    [
        (ImageRequest(prompt="a"), 0.02),
        (ImageRequest(prompt="a", n=4), 0.08),
        (ImageRequest(prompt="a", model="grok-imagine-image-quality", n=2), 0.10),
        (EditRequest(prompt="a", images=["x.png", "y.png"]), 0.06),
        (VideoRequest(prompt="a"), 0.40),  # 8 s default at 480p, $0.05/s
        (VideoRequest(prompt="a", duration=5, resolution="720p"), 0.35),
        (VideoRequest(prompt="a", duration=5, image="f.png"), 0.252),
        (
            VideoRequest(
                prompt="a", model="grok-imagine-video-1.5", duration=4, resolution="1080p"
            ),
            1.0,
        ),
        (
            VideoRequest(
                prompt="a",
                model="grok-imagine-video-1.5",
                duration=4,
                keyframes=[Keyframe(image="k.png", at_s=1)],
            ),
            0.33,
        ),
    ],
)
def test_cost_estimates_use_list_prices_and_defaults(request_: object, usd: float) -> None:
    assert xai_prices.estimate_cost(request_) == pytest.approx(usd)  # type: ignore[arg-type]


def test_cost_of_edits_and_extensions_follow_the_input_video() -> None:
    edit = VideoRequest(prompt="a", edit_video="in.mp4")
    assert xai_prices.estimate_cost(edit, input_duration_s=5) == pytest.approx(0.35)
    assert xai_prices.estimate_cost(edit) == pytest.approx(0.07 * 8.7)
    extend = VideoRequest(prompt="a", extend_video="in.mp4")
    assert xai_prices.estimate_cost(extend, input_duration_s=4) == pytest.approx(
        6 * 0.07 + 4 * 0.01
    )


def test_cost_is_none_when_no_price_is_known() -> None:
    assert (
        xai_prices.estimate_cost(ImageRequest(prompt="a", model="grok-imagine-image-2.0")) is None
    )
    assert xai_prices.estimate_cost(ImageRequest(prompt="a", model="no-such-model")) is None
    assert (
        xai_prices.estimate_cost(VideoRequest(prompt="a", image="a.png", edit_video="b.mp4"))
        is None
    )


def test_the_table_lists_as_plain_json() -> None:
    rows = [dataclasses.asdict(caps.capability("xai", m)) for m in caps.models("xai")]
    text = json.dumps(rows)
    assert '"grok-imagine-video-1.5"' in text and '"reference"' in text


def test_every_slice_names_itself_and_its_place_on_the_emulator() -> None:
    from dave.media.offline import EMULATOR_ORIGIN, OfflineMedia

    prefixes = {provider: caps.offline_prefix(provider) for provider in caps.providers()}
    assert caps.providers() == ("xai", "minimax", "stability")
    assert prefixes == {"xai": "/v1", "minimax": "/minimax", "stability": "/stability"}
    assert [caps.label(p, short=True) for p in caps.providers()] == ["x.ai", "MiniMax", "Stability"]
    assert caps.label("stability") == "Stability AI"
    offline = OfflineMedia(transport=None, typical_job_s=0.0)  # type: ignore[arg-type]
    assert offline.base_url("minimax") == EMULATOR_ORIGIN + "/minimax"


def test_an_unknown_provider_is_a_clear_error_not_a_key_error() -> None:
    for lookup in (caps.label, caps.offline_prefix):
        with pytest.raises(InvalidRequest, match="unknown provider 'acme'; use one of xai, "):
            lookup("acme")
