"""Stable Audio through the Studio: 2 and 2.5 answer at once, 3 is polled; text-to-audio,
audio-to-audio and inpaint each reach their route, and the audio has the asked length."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dave import Studio
from dave.store.jobs import JobState

from .conftest import seconds_of

Forms = Callable[[], list[dict[str, Any]]]


async def test_stable_audio_2_is_priced_by_its_steps(studio: Studio, forms: Forms) -> None:
    result = await studio.music(
        "soft rain on a tin roof",
        provider="stability",
        model="stable-audio-2",
        duration=2,
        steps=100,
        cfg_scale=7,
    )

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/audio/stable-audio-2/text-to-audio"
    assert sent["fields"] == {
        "prompt": "soft rain on a tin roof",
        "duration": "2",
        "steps": "100",
        "cfg_scale": "7",
        "model": "stable-audio-2",
    }
    assert sent["files"] == {"none": ("none", "application/octet-stream", 0)}
    assert sent["headers"]["accept"] == "audio/*"
    assert studio.jobs.get(result.job.id).price == pytest.approx(23)
    assert result.assets[0].mime == "audio/mpeg"
    assert seconds_of(result.paths()[0]) == pytest.approx(2, abs=0.1)


async def test_json_answer_and_wav_when_inline_is_asked(studio: Studio, forms: Forms) -> None:
    result = await studio.music(
        "a bell", provider="stability", duration=3, output_format="wav", response_format="inline"
    )

    (sent,) = forms()
    assert sent["headers"]["accept"] == "application/json"
    assert sent["fields"]["model"] == "stable-audio-2.5"
    assert result.assets[0].mime == "audio/wav"
    assert seconds_of(result.paths()[0]) == pytest.approx(3, abs=0.05)
    assert studio.jobs.get(result.job.id).price == 20
    assert result.to_dict()["job"]["details"]["finish_reason"] == "SUCCESS"


async def test_audio_to_audio_uploads_the_reference(
    studio: Studio, forms: Forms, tone: Callable[..., Path]
) -> None:
    reference = tone(6.5)
    result = await studio.music(
        "the same, on strings", provider="stability", reference=reference, strength=0.4, duration=2
    )

    (sent,) = forms()
    assert sent["path"].endswith("/stable-audio-2/audio-to-audio")
    assert sent["fields"]["strength"] == "0.4"
    assert sent["files"]["audio"] == ("audio.mp3", "audio/mpeg", reference.stat().st_size)
    assert seconds_of(result.paths()[0]) == pytest.approx(2, abs=0.1)


async def test_inpaint_on_2_5_sends_the_mask_and_no_model(
    studio: Studio, forms: Forms, tone: Callable[..., Path]
) -> None:
    result = await studio.music(
        "a drum fill", provider="stability", reference=tone(), mask_start=1, mask_end=3, duration=2
    )

    (sent,) = forms()
    assert sent["path"].endswith("/stable-audio-2/inpaint")
    assert sent["fields"] == {
        "prompt": "a drum fill",
        "mask_start": "1",
        "mask_end": "3",
        "duration": "2",
    }
    assert (result.job.model, studio.jobs.get(result.job.id).price) == ("stable-audio-2.5", 20)


@pytest.mark.parametrize(
    ("fields", "route"),
    [
        ({}, "text-to-audio"),
        ({"strength": 0.5}, "audio-to-audio"),
        ({"mask_start": 0, "mask_end": 2}, "inpaint"),
    ],
)
async def test_stable_audio_3_jobs_are_polled_to_done(
    studio: Studio,
    stability: Any,
    forms: Forms,
    tone: Callable[..., Path],
    fields: dict[str, Any],
    route: str,
) -> None:
    if route != "text-to-audio":
        fields = {**fields, "reference": tone()}
    result = await studio.music(
        "wind chimes", provider="stability", model="stable-audio-3", duration=2, **fields
    )

    (sent,) = forms()
    assert sent["path"] == f"/stability/v2beta/audio/stable-audio/{route}"
    assert sent["fields"]["model"] == "stable-audio-3"
    polls = stability.log.gets("/stability/v2beta/audio/results/*")
    assert [entry.status for entry in polls][-1] == 200
    job = studio.jobs.get(result.job.id)
    assert (job.state, job.price) == (JobState.DONE, 26)
    assert seconds_of(result.paths()[0]) == pytest.approx(2, abs=0.1)
