"""Stable Image edits through the Studio: each `op` goes to its route with its fields, and the
files that come back have the documented size (and alpha, for remove-background)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dave import Studio
from dave.store.jobs import JobState

from .conftest import image_of

Forms = Callable[[], list[dict[str, Any]]]


async def test_erase_sends_the_image_and_mask_and_keeps_the_size(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    source, mask = picture(size=(96, 80)), picture(size=(48, 40), mode="L")
    result = await studio.edit(
        "", [source], provider="stability", op="erase", mask=mask, grow_mask=7
    )

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/edit/erase"
    assert sent["fields"] == {"grow_mask": "7"}
    assert set(sent["files"]) == {"image", "mask"}
    assert sent["files"]["mask"][1] == "image/png"
    assert (result.job.model, studio.jobs.get(result.job.id).price) == ("erase", 5)
    assert image_of(result.paths()[0]).size == (96, 80)


async def test_inpaint_is_the_default_op_and_takes_a_prompt(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.edit(
        "a hat", [picture()], provider="stability", style="anime", seed=7, output_format="jpeg"
    )

    (sent,) = forms()
    assert sent["path"].endswith("/edit/inpaint")
    assert sent["fields"] == {
        "prompt": "a hat",
        "style_preset": "anime",
        "seed": "7",
        "output_format": "jpeg",
    }
    assert result.job.model == "inpaint"
    assert image_of(result.paths()[0]).format == "JPEG"
    assert result.to_dict()["job"]["details"]["seed"] == 7


async def test_outpaint_grows_the_image_by_the_directions(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.edit(
        "", [picture(size=(64, 64))], provider="stability", op="outpaint", left=32, down=16
    )

    (sent,) = forms()
    assert sent["fields"] == {"left": "32", "down": "16"}
    assert image_of(result.paths()[0]).size == (96, 80)
    assert studio.jobs.get(result.job.id).price == 4


async def test_search_replace_and_recolor_name_their_search_differently(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    await studio.edit("a dog", [picture()], provider="stability", op="search-replace", search="cat")
    await studio.edit("bright red", [picture()], provider="stability", op="recolor", search="car")

    replace, recolor = forms()
    assert replace["path"].endswith("/edit/search-and-replace")
    assert replace["fields"] == {"prompt": "a dog", "search_prompt": "cat"}
    assert recolor["path"].endswith("/edit/search-and-recolor")
    assert recolor["fields"] == {"prompt": "bright red", "select_prompt": "car"}


async def test_remove_background_gives_a_png_with_transparency(
    studio: Studio, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.edit(
        "", [picture(size=(80, 64))], provider="stability", op="remove-background"
    )

    (sent,) = forms()
    assert sent["fields"] == {}
    assert set(sent["files"]) == {"image"}
    cut = image_of(result.paths()[0])
    assert (cut.format, cut.mode, cut.size) == ("PNG", "RGBA", (80, 64))
    low, high = cut.getchannel("A").getextrema()
    assert (low, high) == (0, 255)


async def test_relight_is_polled_through_in_progress_to_done(
    studio: Studio, stability: Any, forms: Forms, picture: Callable[..., Path]
) -> None:
    result = await studio.edit(
        "a beach at sunset",
        [picture(size=(64, 96))],
        provider="stability",
        op="relight",
        light_direction="left",
        light_strength=0.5,
        keep_background=False,
        preserve_subject=0.8,
    )

    (sent,) = forms()
    assert sent["path"].endswith("/edit/replace-background-and-relight")
    assert sent["fields"] == {
        "background_prompt": "a beach at sunset",
        "light_source_direction": "left",
        "light_source_strength": "0.5",
        "keep_original_background": "false",
        "preserve_original_subject": "0.8",
    }
    assert set(sent["files"]) == {"subject_image"}
    assert sent["headers"]["accept"] == "application/json"
    polls = stability.log.gets("/stability/v2beta/results/*")
    assert [entry.status for entry in polls][-1] == 200
    assert 202 in [entry.status for entry in polls]
    job = studio.jobs.get(result.job.id)
    assert (job.state, job.model, job.price) == (JobState.DONE, "replace-background-and-relight", 8)
    assert job.provider_job_id is not None and len(job.provider_job_id) == 64
    assert image_of(result.paths()[0]).size == (64, 96)
