"""Upscale (fast, conservative, creative) and control (sketch, structure, style, style-transfer)
through the Studio: routes, fields, output sizes, prices."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dave import Studio
from dave.store.jobs import JobState

from .conftest import image_of

Forms = Callable[[], list[dict[str, Any]]]


async def test_fast_upscale_makes_the_image_four_times_larger(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.upscale(picture(size=(64, 48)), provider="stability")

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/upscale/fast"
    assert (sent["fields"], set(sent["files"])) == ({}, {"image"})
    assert image_of(result.paths()[0]).size == (256, 192)
    assert (result.job.model, studio.jobs.get(result.job.id).price) == ("upscale-fast", 2)


async def test_conservative_upscale_reaches_about_four_megapixels(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.upscale(
        picture(size=(64, 64)), mode="conservative", prompt="a red square", creativity=0.3
    )

    (sent,) = forms()
    assert sent["fields"] == {"prompt": "a red square", "creativity": "0.3"}
    assert image_of(result.paths()[0]).size == (2048, 2048)
    assert studio.jobs.get(result.job.id).price == 40


async def test_creative_upscale_is_an_async_job_polled_to_done(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.upscale(
        picture(size=(100, 80)), mode="creative", prompt="a red square", style="pixel-art"
    )

    (sent,) = forms()
    assert sent["path"].endswith("/upscale/creative")
    assert sent["fields"] == {"prompt": "a red square", "style_preset": "pixel-art"}
    job = studio.jobs.get(result.job.id)
    assert (job.state, job.model, job.price) == (JobState.DONE, "upscale-creative", 60)
    assert image_of(result.paths()[0]).size == (400, 320)


@pytest.mark.parametrize("mode", ["sketch", "structure"])
async def test_sketch_and_structure_keep_the_input_size(
    studio: Studio, forms: Forms, picture: Callable[..., Path], mode: str
) -> None:
    result = await studio.control(
        picture(size=(120, 80)), "a castle", mode=mode, control_strength=0.4
    )

    (sent,) = forms()
    assert sent["path"] == f"/stability/v2beta/stable-image/control/{mode}"
    assert sent["fields"] == {"prompt": "a castle", "control_strength": "0.4"}
    assert image_of(result.paths()[0]).size == (120, 80)
    assert (result.job.model, studio.jobs.get(result.job.id).price) == (f"control-{mode}", 5)


async def test_style_guide_makes_one_megapixel_at_the_asked_ratio(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.control(
        picture(), "a harbour", mode="style", aspect_ratio="1:1", fidelity=0.8
    )

    (sent,) = forms()
    assert sent["fields"] == {"prompt": "a harbour", "aspect_ratio": "1:1", "fidelity": "0.8"}
    assert image_of(result.paths()[0]).size == (1024, 1024)


async def test_style_transfer_sends_init_and_style_images(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.control(
        picture(size=(128, 64)),
        mode="style-transfer",
        style_image=picture(size=(64, 64), fmt="JPEG"),
        change_strength=0.5,
    )

    (sent,) = forms()
    assert sent["path"].endswith("/control/style-transfer")
    assert sent["fields"] == {"change_strength": "0.5"}
    assert sent["files"]["init_image"][1] == "image/png"
    assert sent["files"]["style_image"][1] == "image/jpeg"
    assert (result.job.model, studio.jobs.get(result.job.id).price) == ("style-transfer", 8)
