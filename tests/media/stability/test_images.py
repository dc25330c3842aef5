"""Stable Image generation through the Studio: ultra, core and SD 3.5, text and image-to-image,
both answer shapes (bytes and JSON), on the wire and in the library."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dave import Studio
from dave.emulator import EmulatorServer
from dave.store.jobs import JobState

from .conftest import image_of


async def test_core_sends_multipart_with_only_text_and_a_dummy_part(
    studio: Studio, stability: EmulatorServer, forms: Callable[[], list[dict[str, Any]]]
) -> None:
    result = await studio.image("a red fox in snow", provider="stability", seed=42)

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/generate/core"
    assert sent["fields"] == {"prompt": "a red fox in snow", "seed": "42"}
    assert sent["files"] == {"none": ("none", "application/octet-stream", 0)}
    assert sent["headers"]["accept"] == "image/*"
    assert sent["headers"]["authorization"].startswith("Bearer ")
    assert sent["headers"]["stability-client-id"] == "dave"
    assert sent["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    job = result.job
    assert (job.state, job.model) == (JobState.DONE, "stable-image-core")
    assert studio.jobs.get(job.id).price == 3
    assert studio.jobs.get(job.id).price_unit == "credits"
    assert result.to_dict()["job"]["details"] == {"seed": 42, "finish_reason": "SUCCESS"}
    picture = image_of(result.paths()[0])
    assert (picture.format, picture.size) == ("PNG", (1536, 1536))


async def test_ultra_answers_as_json_when_b64_json_is_asked(
    studio: Studio, forms: Callable[[], list[dict[str, Any]]]
) -> None:
    result = await studio.image(
        "a lighthouse",
        provider="stability",
        model="stable-image-ultra",
        aspect_ratio="16:9",
        output_format="webp",
        style="cinematic",
        negative_prompt="fog",
        response_format="b64_json",
    )

    (sent,) = forms()
    assert sent["headers"]["accept"] == "application/json"
    assert sent["fields"] == {
        "prompt": "a lighthouse",
        "aspect_ratio": "16:9",
        "output_format": "webp",
        "style_preset": "cinematic",
        "negative_prompt": "fog",
    }
    picture = image_of(result.paths()[0])
    assert picture.format == "WEBP"
    assert picture.size[0] > picture.size[1]
    assert 0.9e6 < picture.size[0] * picture.size[1] < 1.2e6
    seed = result.to_dict()["job"]["details"]["seed"]
    assert isinstance(seed, int) and seed > 0
    assert studio.jobs.get(result.job.id).price == 8


async def test_sd3_image_to_image_sends_the_file_mode_model_and_strength(
    studio: Studio, forms: Callable[[], list[dict[str, Any]]], picture: Callable[..., Path]
) -> None:
    source = picture(size=(128, 64))
    result = await studio.image(
        "same, at dusk",
        provider="stability",
        model="sd3.5-large-turbo",
        image=source,
        strength=0.6,
        cfg_scale=1.5,
    )

    (sent,) = forms()
    assert sent["path"].endswith("/generate/sd3")
    assert sent["fields"] == {
        "prompt": "same, at dusk",
        "strength": "0.6",
        "cfg_scale": "1.5",
        "model": "sd3.5-large-turbo",
        "mode": "image-to-image",
    }
    assert sent["files"]["image"] == ("image.png", "image/png", source.stat().st_size)
    width, height = image_of(result.paths()[0]).size
    assert abs(width / height - 2) < 0.1  # the input's ratio, at about 1 MP
    assert (result.job.model, studio.jobs.get(result.job.id).price) == ("sd3.5-large-turbo", 4)


@pytest.mark.parametrize(
    ("model", "credits"),
    [("sd3.5-large", 6.5), ("sd3.5-medium", 3.5), ("sd3.5-flash", 2.5)],
)
async def test_sd3_text_to_image_names_its_model_and_price(
    studio: Studio, forms: Callable[[], list[dict[str, Any]]], model: str, credits: float
) -> None:
    result = await studio.run(
        {"kind": "image", "provider": "stability", "model": model, "prompt": "a cat"}
    )

    (sent,) = forms()
    assert sent["fields"] == {"prompt": "a cat", "model": model}
    assert "mode" not in sent["fields"]
    assert studio.jobs.get(result.job.id).price == credits
    assert image_of(result.paths()[0]).size == (1024, 1024)
