"""What the Studio does when the provider misbehaves (emulator fault rules): failed and expired
jobs, moderation, bad downloads, 5xx answers, lost answers to paid requests, and auth errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from dave import (
    JobExpired,
    JobFailed,
    Moderated,
    OutcomeUnknown,
    ProviderError,
    RateLimited,
    Studio,
    Unauthorized,
)
from dave.emulator import EmulatorServer, FaultRule

TEST_KEY = "xai-test-key-0123456789"


async def test_a_failed_video_job_raises_job_failed_and_the_row_says_failed(
    studio: Studio, xai: EmulatorServer, quick_polls: None, media_files: Callable[[], list[Path]]
) -> None:
    xai.set_faults(
        [
            FaultRule(
                match="POST /v1/videos/generations",
                kind="job_failed",
                message="the render farm caught fire",
            )
        ]
    )

    with pytest.raises(JobFailed, match="the render farm caught fire") as caught:
        await studio.video("a volcano", duration=1)

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert job.error_code == "internal_error"
    assert "the render farm caught fire" in (job.error or "")
    assert job.provider_job_id
    assert studio.assets.for_job(job.id) == []
    assert xai.log.gets("/files/*") == []
    assert media_files() == []
    assert [e.state.value for e in studio.jobs.events(job.id)][-1] == "failed"


async def test_an_expired_video_job_raises_job_expired_and_the_row_says_expired(
    studio: Studio, xai: EmulatorServer, quick_polls: None
) -> None:
    xai.set_faults([FaultRule(match="POST /v1/videos/generations", kind="job_expired")])

    with pytest.raises(JobExpired) as caught:
        await studio.video("a glacier", duration=1)

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "expired"
    assert job.error_code == "expired"
    assert studio.assets.for_job(job.id) == []
    assert len(xai.log.posts()) == 1


async def test_a_moderated_image_raises_moderated_and_keeps_no_asset(
    studio: Studio, xai: EmulatorServer, media_files: Callable[[], list[Path]]
) -> None:
    xai.set_faults([FaultRule(match="POST /v1/images/generations", kind="moderated")])

    with pytest.raises(Moderated) as caught:
        await studio.image("something the policy refuses", n=2)

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert job.error_code == "moderated"
    # Moderated outputs are still billed; the journal keeps what the provider reported.
    assert job.cost_usd == pytest.approx(0.04)
    assert studio.assets.count() == 0
    assert media_files() == []
    assert xai.log.gets() == []
    assert "content policy" in caught.value.user_line()


async def test_a_moderated_video_raises_moderated(
    studio: Studio, xai: EmulatorServer, quick_polls: None
) -> None:
    xai.set_faults([FaultRule(match="POST /v1/videos/generations", kind="moderated")])

    with pytest.raises(Moderated) as caught:
        await studio.video("something the policy refuses", duration=1)

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert job.error_code == "moderated"
    assert studio.assets.for_job(job.id) == []
    assert xai.log.gets("/files/*") == []


async def test_a_corrupt_download_is_fetched_again_and_the_kept_file_is_valid(
    studio: Studio,
    xai: EmulatorServer,
    check_asset: Callable[..., Path],
    load_image: Callable[[Path], object],
    media_files: Callable[[], list[Path]],
) -> None:
    xai.set_faults([FaultRule(match="GET /files/*", kind="corrupt", times=1)])

    result = await studio.image("a red fox in the snow")

    downloads = xai.log.gets("/files/*")
    assert [entry.fault for entry in downloads] == ["corrupt", None]
    assert downloads[0].path == downloads[1].path
    assert result.job.state.value == "done"
    (asset,) = result.assets
    load_image(check_asset(asset, "jpg"))
    assert media_files() == [result.paths()[0]]
    assert len(xai.log.posts()) == 1


async def test_a_download_that_is_always_corrupt_fails_verification_and_keeps_nothing(
    studio: Studio, xai: EmulatorServer, media_files: Callable[[], list[Path]]
) -> None:
    from dave import VerificationFailed

    xai.set_faults([FaultRule(match="GET /files/*", kind="corrupt", times=0)])

    with pytest.raises(VerificationFailed) as caught:
        await studio.image("a red fox in the snow")

    job = studio.jobs.get(caught.value.job_id)
    # The URLs are journaled: the job waits in `downloading` for `resume`, not `failed`.
    assert job.state.value == "downloading"
    assert job.result and job.result["outputs"][0]["url"]
    assert media_files() == []
    assert len(xai.log.posts()) == 1
    assert len(xai.log.gets("/files/*")) == 3


async def test_a_truncated_download_is_fetched_again(
    studio: Studio,
    xai: EmulatorServer,
    check_asset: Callable[..., Path],
    load_image: Callable[[Path], object],
) -> None:
    xai.set_faults([FaultRule(match="GET /files/*", kind="truncate", times=1, fraction=0.4)])

    result = await studio.image("a red fox in the snow", aspect_ratio="4:3")

    downloads = xai.log.gets("/files/*")
    assert [entry.fault for entry in downloads] == ["truncate", None]
    (asset,) = result.assets
    image = load_image(check_asset(asset, "jpg"))
    assert image.size == (asset.width, asset.height)
    assert result.job.state.value == "done"


async def test_a_503_on_the_poll_is_retried_and_the_job_finishes(
    studio: Studio, xai: EmulatorServer, quick_polls: None
) -> None:
    xai.set_faults([FaultRule(match="GET /v1/videos/*", kind="status", status=503, times=2)])

    result = await studio.video("a windmill", duration=1)

    polls = xai.log.gets("/v1/videos/*")
    assert [entry.status for entry in polls[:2]] == [503, 503]
    assert polls[-1].status == 200
    assert result.job.state.value == "done"
    assert len(result.assets) == 1
    assert len(xai.log.posts()) == 1


async def test_a_503_on_the_paid_post_is_sent_again_because_nothing_was_done(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults(
        [FaultRule(match="POST /v1/images/generations", kind="status", status=503, times=1)]
    )

    result = await studio.image("a red fox in the snow")

    assert [entry.status for entry in xai.log.posts()] == [503, 200]
    assert result.job.state.value == "done"
    assert studio.jobs.get(result.job.id).attempts == 1


async def test_a_lost_answer_to_a_paid_post_is_never_resent_and_the_job_is_unknown(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults([FaultRule(match="POST /v1/images/generations", kind="reset", times=1)])

    with pytest.raises(OutcomeUnknown) as caught:
        await studio.image("a red fox in the snow")

    assert len(xai.log.posts()) == 1
    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "unknown"
    assert job.error_code == "outcome_unknown"
    assert studio.assets.count() == 0
    assert "--resubmit" in caught.value.user_line()


async def test_a_400_from_the_provider_fails_the_job_with_its_message(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults(
        [
            FaultRule(
                match="POST /v1/images/generations",
                kind="status",
                status=400,
                body={"code": "400", "error": "Argument not supported: style"},
            )
        ]
    )

    with pytest.raises(ProviderError, match="Argument not supported: style") as caught:
        await studio.image("a red fox in the snow")

    assert caught.value.status == 400
    assert len(xai.log.posts()) == 1, "a 400 is not retried"
    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert job.error_code == "400"


async def test_a_401_raises_unauthorized_with_a_hint_about_the_key(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults(
        [
            FaultRule(
                match="POST /v1/images/generations",
                kind="status",
                status=401,
                body={"code": "401", "error": "Invalid API key"},
            )
        ]
    )

    with pytest.raises(Unauthorized) as caught:
        await studio.image("a red fox in the snow")

    line = caught.value.user_line()
    assert "HTTP 401" in line
    assert "API key" in line
    assert TEST_KEY not in line
    assert len(xai.log.posts()) == 1, "a 401 is not retried"
    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert TEST_KEY not in (job.error or "")


async def test_a_wrong_key_raises_unauthorized_with_a_hint_about_the_key(
    xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    xai.config.api_keys = [TEST_KEY]
    monkeypatch.setenv("XAI_API_KEY", "xai-someone-elses-key-999")

    async with Studio(poll_floor_s=0.1) as studio:
        with pytest.raises(ProviderError) as caught:
            await studio.image("a red fox in the snow")

    assert xai.log.posts()[0].headers["authorization"] == "Bearer xai-someone-elses-key-999"
    assert isinstance(caught.value, Unauthorized)
    assert "key" in caught.value.user_line().lower()
    assert "xai-someone-elses-key-999" not in caught.value.user_line()


async def test_a_429_with_retry_after_is_waited_out_and_sent_again(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults(
        [
            FaultRule(
                match="POST /v1/images/generations",
                kind="status",
                status=429,
                retry_after="0",
                times=1,
            )
        ]
    )

    result = await studio.image("a red fox in the snow")

    assert [entry.status for entry in xai.log.posts()] == [429, 200]
    assert result.job.state.value == "done"


async def test_a_429_that_never_ends_raises_rate_limited_and_fails_the_job(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults(
        [FaultRule(match="POST /v1/images/generations", kind="status", status=429, times=0)]
    )

    with pytest.raises(RateLimited) as caught:
        await studio.image("a red fox in the snow")

    # dave's default: four attempts in all, then it gives up.
    assert [entry.status for entry in xai.log.posts()] == [429] * 4
    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert studio.assets.count() == 0


async def test_a_timed_out_paid_post_is_not_resent_and_the_job_is_unknown(
    xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAVE_HTTP_READ_TIMEOUT", "0.3")
    xai.set_faults(
        [FaultRule(match="POST /v1/videos/generations", kind="hang", seconds=3, times=1)]
    )

    async with Studio(poll_floor_s=0.1) as studio:
        with pytest.raises(OutcomeUnknown) as caught:
            await studio.video("a volcano", duration=1)
        job = studio.jobs.get(caught.value.job_id)

    assert len(xai.log.posts()) == 1
    assert job.state.value == "unknown"
    assert job.provider_job_id is None


async def test_a_timed_out_poll_is_simply_asked_again(
    xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAVE_HTTP_READ_TIMEOUT", "0.3")
    xai.set_faults([FaultRule(match="GET /v1/videos/*", kind="hang", seconds=3, times=1)])

    async with Studio(poll_floor_s=0.1) as studio:
        started = await studio.video("a volcano", duration=1, wait=False)
        await asyncio.sleep(0.35)
        result = await studio.wait(started.job.id)

    assert result.job.state.value == "done"
    assert len(result.assets) == 1
    polls = xai.log.gets("/v1/videos/*")
    assert polls[0].fault == "hang"
    assert polls[-1].status == 200
    assert len(xai.log.posts()) == 1


async def test_cancelling_while_the_paid_post_is_in_flight_leaves_the_job_unknown(
    studio: Studio, xai: EmulatorServer
) -> None:
    xai.set_faults(
        [FaultRule(match="POST /v1/images/generations", kind="hang", seconds=5, times=1)]
    )

    task = asyncio.create_task(studio.image("a red fox in the snow"))
    for _ in range(100):
        if xai.log.posts():
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    (job,) = studio.jobs.list()
    assert job.state.value == "unknown"
    assert job.error_code == "outcome_unknown"
    assert "CancelledError" in (job.error or "")
    assert len(xai.log.posts()) == 1


async def test_failed_downloads_leave_no_temp_files_behind(
    studio: Studio, xai: EmulatorServer, dave_home: Path
) -> None:
    xai.set_faults(
        [
            FaultRule(match="GET /files/*", kind="corrupt", times=1),
            FaultRule(match="GET /files/*", kind="truncate", times=1),
        ]
    )

    result = await studio.image("a red fox in the snow", n=2)

    assert result.job.state.value == "done"
    temps = dave_home / "media" / ".tmp"
    assert not temps.exists() or list(temps.iterdir()) == []


async def test_a_key_echoed_in_an_error_body_is_masked_everywhere(
    studio: Studio, xai: EmulatorServer, dave_home: Path
) -> None:
    xai.set_faults(
        [
            FaultRule(
                match="POST /v1/images/generations",
                kind="status",
                status=400,
                body={"code": "400", "error": f"Incorrect API key provided: {TEST_KEY}"},
            )
        ]
    )

    with pytest.raises(ProviderError) as caught:
        await studio.image("a red fox in the snow")

    assert TEST_KEY not in caught.value.user_line()
    assert "***" in caught.value.user_line()
    job = studio.jobs.get(caught.value.job_id)
    assert TEST_KEY not in (job.error or "")
    assert "***" in (job.error or "")
    await studio.aclose()
    for path in dave_home.rglob("*"):
        if path.is_file():
            assert TEST_KEY.encode() not in path.read_bytes(), path


async def test_an_unreadable_answer_to_a_paid_post_is_unknown_and_never_resent(
    studio: Studio, xai: EmulatorServer, media_files: Callable[[], list[Path]]
) -> None:
    # A 200 whose body is not JSON: the work may be done and billed, but nothing says so.
    xai.set_faults(
        [FaultRule(match="POST /v1/images/generations", kind="status", status=200, body="<html>")]
    )

    with pytest.raises(OutcomeUnknown, match="may have been done and charged") as caught:
        await studio.image("a lighthouse")

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "unknown"
    assert len(xai.log.posts()) == 1
    assert media_files() == []


async def test_an_unreadable_poll_answer_leaves_the_video_job_to_wait(
    studio: Studio, xai: EmulatorServer, quick_polls: None
) -> None:
    xai.set_faults([FaultRule(match="GET /v1/videos/*", kind="status", status=200, body="<html>")])

    with pytest.raises(ProviderError, match="not JSON") as caught:
        await studio.video("waves", duration=1)

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "submitted"  # `dave jobs wait` can pick it up
    assert len(xai.log.posts()) == 1
