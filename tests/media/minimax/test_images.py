"""MiniMax images through the Studio on the loopback emulator: the wire body for each way of
asking (text, character reference, n, width/height, base64, styles), the JPEGs kept, the rows."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from dave import Studio
from dave.emulator import EmulatorServer
from tests.media.minimax.helpers import image_size, paths


async def test_text_to_image_sends_a_bearer_json_body_and_keeps_jpegs_at_the_ratio_size(
    studio: Studio, minimax: EmulatorServer
) -> None:
    result = await studio.image("a red fox", provider="minimax", n=2, aspect_ratio="16:9")

    (post,) = minimax.log.posts()
    assert post.path == "/minimax/v1/image_generation"
    assert post.headers["authorization"] == "Bearer xai-test-key-0123456789"
    assert post.headers["content-type"] == "application/json"
    assert post.json == {
        "model": "image-01",
        "prompt": "a red fox",
        "aspect_ratio": "16:9",
        "response_format": "url",
        "n": 2,
    }
    assert len(minimax.log.gets("/files/*")) == 2
    files = paths(studio, result)
    assert [image_size(path) for path in files] == [(1280, 720), (1280, 720)]
    assert all(path.suffix == ".jpg" for path in files)
    job = studio.jobs.get(result.job.id)
    assert (job.state.value, job.provider, job.model) == ("done", "minimax", "image-01")
    assert job.price == pytest.approx(0.06)
    assert job.price_unit == "usd"
    assert result.to_dict()["job"]["details"]["success_count"] == 2


async def test_a_character_reference_goes_as_subject_reference_image_file(
    studio: Studio, minimax: EmulatorServer, picture: Callable[..., Path]
) -> None:
    face = picture("face.jpg", size=(400, 400))

    result = await studio.image("the same woman in a forest", provider="minimax", subject=face)

    (post,) = minimax.log.posts()
    (reference,) = post.json["subject_reference"]
    assert reference["type"] == "character"
    head, _, data = reference["image_file"].partition(",")
    assert head == "data:image/jpeg;base64"
    assert base64.b64decode(data) == face.read_bytes()
    assert image_size(paths(studio, result)[0]) == (1024, 1024)


async def test_width_and_height_go_instead_of_a_ratio_on_image_01(
    studio: Studio, minimax: EmulatorServer
) -> None:
    result = await studio.image("a tall tower", provider="minimax", width=768, height=1344)

    (post,) = minimax.log.posts()
    assert (post.json["width"], post.json["height"]) == (768, 1344)
    assert "aspect_ratio" not in post.json
    assert image_size(paths(studio, result)[0]) == (768, 1344)


async def test_base64_images_arrive_inline_with_no_download(
    studio: Studio, minimax: EmulatorServer
) -> None:
    result = await studio.image(
        "a blue whale", provider="minimax", response_format="b64_json", aspect_ratio="21:9"
    )

    (post,) = minimax.log.posts()
    assert post.json["response_format"] == "base64"
    assert minimax.log.gets("/files/*") == []
    assert image_size(paths(studio, result)[0]) == (1344, 576)


async def test_a_style_is_sent_as_its_chinese_literal_on_image_01_live(
    studio: Studio, minimax: EmulatorServer
) -> None:
    await studio.image(
        "a castle", provider="minimax", model="image-01-live", style="watercolor",
        style_weight=0.5, seed=7, prompt_optimizer=True,
    )  # fmt: skip

    (post,) = minimax.log.posts()
    assert post.json["style"] == {"style_type": "水彩", "style_weight": 0.5}
    assert (post.json["seed"], post.json["prompt_optimizer"]) == (7, True)
    assert post.json["model"] == "image-01-live"
