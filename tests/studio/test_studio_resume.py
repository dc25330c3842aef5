"""`Studio.resume` finishes what a crash left in the journal, and never resends a paid request
unless asked: each test journals a job in the state a crash would leave, then resumes it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from dave import ImageRequest, Studio, VideoRequest
from dave.emulator import EmulatorServer
from dave.media.validation import validate
from dave.store.jobs import Job, JobState

TEST_KEY = "xai-test-key-0123456789"


def journaled(request: ImageRequest | VideoRequest) -> tuple[str, dict[str, Any]]:
    """The model and the request dict exactly as Studio.run journals them."""
    resolved = validate(request)
    return resolved.model, resolved.request.model_dump(mode="json", exclude_defaults=False)


def journal_image_job(studio: Studio, prompt: str, **fields: Any) -> Job:
    model, request = journaled(ImageRequest(prompt=prompt, **fields))
    return studio.jobs.create("xai", "image", model, request)


def _states(studio: Studio, job_id: str) -> list[str]:
    return [event.state.value for event in studio.jobs.events(job_id)]


async def test_resume_submits_a_job_left_in_created(
    studio: Studio, xai: EmulatorServer, check_asset: Callable[..., Path]
) -> None:
    job = journal_image_job(studio, "a crane on one leg", n=2, aspect_ratio="1:1")

    results = await studio.resume()

    assert [result.job.id for result in results] == [job.id]
    (result,) = results
    assert result.job.state.value == "done"
    assert len(result.assets) == 2
    for asset in result.assets:
        check_asset(asset, "jpg")
    (post,) = xai.log.posts()
    assert post.json == {
        "model": "grok-imagine-image",
        "prompt": "a crane on one leg",
        "n": 2,
        "aspect_ratio": "1:1",
        "response_format": "url",
    }
    assert _states(studio, job.id) == ["created", "submitting", "downloading", "done"]


async def test_resume_marks_a_job_left_in_submitting_unknown_and_sends_nothing(
    studio: Studio, xai: EmulatorServer
) -> None:
    job = journal_image_job(studio, "a crane on one leg")
    studio.jobs.transition(job.id, JobState.SUBMITTING, count_attempt=True)

    (result,) = await studio.resume()

    assert result.job.id == job.id
    assert result.job.state.value == "unknown"
    assert result.assets == []
    row = studio.jobs.get(job.id)
    assert row.state.value == "unknown"
    assert row.error_code == "outcome_unknown"
    assert row.attempts == 1
    assert len(xai.log) == 0
    # A second resume leaves it alone too: `unknown` is for a person to decide.
    assert await studio.resume() == []
    assert len(xai.log) == 0


async def test_resume_with_resubmit_sends_an_unknown_job_exactly_once(
    studio: Studio, xai: EmulatorServer, check_asset: Callable[..., Path]
) -> None:
    job = journal_image_job(studio, "a crane on one leg")
    studio.jobs.transition(job.id, JobState.SUBMITTING, count_attempt=True)
    await studio.resume()
    assert studio.jobs.get(job.id).state.value == "unknown"

    (result,) = await studio.resume(job.id, resubmit=True)

    assert result.job.state.value == "done"
    assert len(xai.log.posts()) == 1
    (asset,) = result.assets
    check_asset(asset, "jpg")
    row = studio.jobs.get(job.id)
    assert row.attempts == 2
    assert _states(studio, job.id) == [
        "created",
        "submitting",
        "unknown",
        "created",
        "submitting",
        "downloading",
        "done",
    ]


async def test_resume_without_resubmit_does_not_send_a_named_unknown_job(
    studio: Studio, xai: EmulatorServer
) -> None:
    job = journal_image_job(studio, "a crane on one leg")
    studio.jobs.transition(job.id, JobState.UNKNOWN, error="lost", error_code="outcome_unknown")

    (result,) = await studio.resume(job.id)

    assert result.job.state.value == "unknown"
    assert len(xai.log) == 0


async def test_resume_downloads_journaled_urls_without_a_new_post(
    studio: Studio,
    xai: EmulatorServer,
    check_asset: Callable[..., Path],
    load_image: Callable[[Path], object],
) -> None:
    # The paid request happened before the "crash": ask the emulator directly for two URLs.
    async with httpx2.AsyncClient(base_url=xai.xai_base_url, timeout=10) as client:
        answer = await client.post(
            "/images/generations",
            json={"model": "grok-imagine-image", "prompt": "a crane on one leg", "n": 2},
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
    answer.raise_for_status()
    urls = [item["url"] for item in answer.json()["data"]]
    job = journal_image_job(studio, "a crane on one leg", n=2)
    studio.jobs.transition(job.id, JobState.SUBMITTING, count_attempt=True)
    studio.jobs.transition(
        job.id,
        JobState.DOWNLOADING,
        result={"outputs": [{"url": url, "mime": "image/jpeg"} for url in urls], "moderated": 0},
        cost_usd=0.04,
    )
    xai.log.clear()

    (result,) = await studio.resume()

    assert result.job.state.value == "done"
    assert xai.log.posts() == []
    assert sorted(entry.path for entry in xai.log.gets()) == sorted(
        "/files/" + url.rsplit("/files/", 1)[1] for url in urls
    )
    assert len(result.assets) == 2
    for asset in result.assets:
        load_image(check_asset(asset, "jpg"))
        assert asset.prompt == "a crane on one leg"
    assert studio.jobs.get(job.id).cost_usd == pytest.approx(0.04)


async def test_resume_fetches_only_the_outputs_still_missing(
    studio: Studio, xai: EmulatorServer
) -> None:
    # A first run keeps both files; then the journal is put back to `downloading` with the
    # first asset recorded, as if the process died between the two downloads.
    first = await studio.image("a crane on one leg", n=2)
    job = studio.jobs.get(first.job.id)
    outputs = [{"url": o["url"], "mime": "image/jpeg"} for o in job.result["outputs"]]
    again = journal_image_job(studio, "a crane on one leg", n=2)
    studio.jobs.transition(again.id, JobState.SUBMITTING)
    studio.jobs.transition(
        again.id, JobState.DOWNLOADING, result={"outputs": outputs, "moderated": 0}
    )
    kept = first.assets[0]
    studio.assets.add(
        kind="image",
        path=kept.path,
        sha256=kept.sha256,
        bytes=kept.bytes,
        job_id=again.id,
        index=0,
        provider="xai",
        mime=kept.mime,
    )
    xai.log.clear()

    (result,) = await studio.resume(again.id)

    assert result.job.state.value == "done"
    assert [asset.index for asset in result.assets] == [0, 1]
    gets = xai.log.gets()
    assert [entry.path for entry in gets] == ["/files/" + outputs[1]["url"].rsplit("/", 1)[1]]
    assert xai.log.posts() == []


async def test_resume_polls_a_submitted_video_without_a_new_post(
    studio: Studio,
    xai: EmulatorServer,
    probe_video: Callable[[Path], dict[str, Any]],
    check_asset: Callable[..., Path],
) -> None:
    async with httpx2.AsyncClient(base_url=xai.xai_base_url, timeout=10) as client:
        answer = await client.post(
            "/videos/generations",
            json={"model": "grok-imagine-video", "prompt": "a crane takes off", "duration": 1},
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
    answer.raise_for_status()
    request_id = answer.json()["request_id"]
    model, request = journaled(VideoRequest(prompt="a crane takes off", duration=1))
    job = studio.jobs.create("xai", "video", model, request)
    studio.jobs.transition(job.id, JobState.SUBMITTING, count_attempt=True)
    studio.jobs.transition(job.id, JobState.SUBMITTED, provider_job_id=request_id)
    await asyncio.sleep(0.4)  # the emulator's job is ready after 0.3 s
    xai.log.clear()

    (result,) = await studio.resume()

    assert result.job.state.value == "done"
    assert xai.log.posts() == []
    assert xai.log.gets(f"/v1/videos/{request_id}")
    (asset,) = result.assets
    assert probe_video(check_asset(asset, "mp4"))["duration"] == pytest.approx(1.0, abs=0.2)


async def test_resume_leaves_finished_jobs_alone(studio: Studio, xai: EmulatorServer) -> None:
    done = await studio.image("a crane on one leg")
    xai.log.clear()

    assert await studio.resume() == []
    (again,) = await studio.resume(done.job.id)

    assert again.job.state.value == "done"
    assert [asset.id for asset in again.assets] == [asset.id for asset in done.assets]
    assert len(xai.log) == 0


async def test_one_failing_job_does_not_stop_resume_of_the_others(
    studio: Studio, xai: EmulatorServer
) -> None:
    from dave.emulator import FaultRule

    bad = journal_image_job(studio, "first, refused")
    good = journal_image_job(studio, "second, fine")
    xai.set_faults(
        [FaultRule(match="POST /v1/images/generations", kind="status", status=400, times=1)]
    )

    results = await studio.resume()

    assert {result.job.id: result.job.state.value for result in results} == {
        bad.id: "failed",
        good.id: "done",
    }
    assert len(xai.log.posts()) == 2


async def test_resume_of_an_edit_whose_source_file_vanished_is_not_called_unknown(
    studio: Studio, xai: EmulatorServer, make_image: Callable[..., Path]
) -> None:
    source = make_image("gone-soon.png")
    model, request = journaled_edit(str(source))
    job = studio.jobs.create("xai", "edit", model, request)
    source.unlink()

    (result,) = await studio.resume()

    assert len(xai.log) == 0
    assert result.job.id == job.id
    # Nothing left this machine: the job must not claim it may have been charged.
    assert result.job.state.value != "unknown"
    assert result.job.error_code != "outcome_unknown"
    assert result.job.attempts == 0
    assert str(source) in (result.job.error or "")


def journaled_edit(path: str) -> tuple[str, dict[str, Any]]:
    from dave import EditRequest

    resolved = validate(EditRequest(prompt="make it blue", images=[path]))
    return resolved.model, resolved.request.model_dump(mode="json", exclude_defaults=False)
