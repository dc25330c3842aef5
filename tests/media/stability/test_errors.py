"""How Stability's refusals and failures reach the user: CONTENT_FILTERED as Moderated with no
asset, each error status as the right DaveError (with the support id, never the key), failed
and expired async jobs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dave import Studio
from dave.core.errors import (
    JobExpired,
    JobFailed,
    Moderated,
    OutOfCredit,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
    Unauthorized,
)
from dave.emulator import EmulatorServer
from dave.store.jobs import JobState
from tests.conftest import TEST_KEY

CORE = "POST /stability/v2beta/stable-image/generate/core"
RESULTS = "GET /stability/v2beta/results/*"


async def test_content_filtered_answer_is_moderated_and_keeps_no_file(
    studio: Studio, stability: EmulatorServer
) -> None:
    stability.set_faults([{"match": CORE, "kind": "moderated"}])

    with pytest.raises(Moderated) as caught:
        await studio.image("something", provider="stability")

    job = studio.jobs.get(caught.value.job_id)
    assert (job.state, job.error_code) == (JobState.FAILED, "moderated")
    assert studio.assets.for_job(job.id) == []
    (answer,) = stability.log.posts("/stability/*")
    assert answer.status == 200


async def test_content_filtered_poll_is_moderated(
    studio: Studio, stability: EmulatorServer, picture: Callable[..., Path]
) -> None:
    stability.set_faults([{"match": RESULTS, "kind": "moderated", "skip": 1}])

    with pytest.raises(Moderated) as caught:
        await studio.upscale(picture(), mode="creative", prompt="a square")

    assert studio.jobs.get(caught.value.job_id).state is JobState.FAILED
    assert studio.assets.for_job(caught.value.job_id) == []


async def test_a_job_that_fails_on_the_poll_ends_failed(
    studio: Studio, stability: EmulatorServer, picture: Callable[..., Path]
) -> None:
    # Every poll answers 500 with Stability's error body: retries get the same answer.
    stability.set_faults([{"match": RESULTS, "kind": "job_failed", "times": 0, "message": "boom"}])

    with pytest.raises(JobFailed) as caught:
        await studio.upscale(picture(), mode="creative", prompt="a square")

    job = studio.jobs.get(caught.value.job_id)
    assert (job.state, job.error_code) == (JobState.FAILED, "internal_error")
    assert "boom" in (job.error or "")


async def test_a_job_failed_at_submit_fails_once_ready(
    studio: Studio, stability: EmulatorServer
) -> None:
    stability.set_faults(
        [{"match": "POST /stability/v2beta/audio/stable-audio/*", "kind": "job_failed"}]
    )

    with pytest.raises(JobFailed):
        await studio.music("hum", provider="stability", model="stable-audio-3", duration=2)


async def test_an_expired_result_ends_expired(
    studio: Studio, stability: EmulatorServer, picture: Callable[..., Path]
) -> None:
    stability.set_faults([{"match": RESULTS, "kind": "job_expired"}])

    with pytest.raises(JobExpired) as caught:
        await studio.edit("a forest", [picture()], provider="stability", op="relight")

    job = studio.jobs.get(caught.value.job_id)
    assert (job.state, job.error_code) == (JobState.EXPIRED, "expired")
    (poll,) = stability.log.gets("/stability/v2beta/results/*")
    assert poll.status == 404


@pytest.mark.parametrize(
    ("status", "name", "error_type"),
    [
        (401, "unauthorized", Unauthorized),
        (403, "content_moderation", Moderated),
        (400, "bad_request", Rejected),
        (413, "payload_too_large", Rejected),
        (422, "public_figure", Rejected),
        (402, "payment_required", OutOfCredit),
        (429, "rate_limit_exceeded", RateLimited),
        (500, "internal_error", ProviderUnavailable),
    ],
)
async def test_each_error_status_becomes_its_dave_error(
    studio: Studio,
    stability: EmulatorServer,
    status: int,
    name: str,
    error_type: type[ProviderError],
) -> None:
    body = {"id": "support-id-123", "name": name, "errors": [f"something: {name} here"]}
    stability.set_faults(
        [{"match": CORE, "kind": "status", "status": status, "body": body, "times": 0}]
    )

    with pytest.raises(error_type) as caught:
        await studio.image("a fox", provider="stability")

    error = caught.value
    assert type(error) is error_type
    assert (error.status, error.code, error.request_id) == (status, name, "support-id-123")
    assert f"something: {name} here" in error.message
    job = studio.jobs.get(error.job_id)
    assert job.state is JobState.FAILED
    assert TEST_KEY not in error.user_line() and TEST_KEY not in (job.error or "")
    assert TEST_KEY not in str(job.request)


async def test_a_wrong_key_is_unauthorized_without_showing_the_key(
    studio: Studio, stability: EmulatorServer
) -> None:
    stability.config.api_keys = ["sk-the-right-one"]

    with pytest.raises(Unauthorized) as caught:
        await studio.image("a fox", provider="stability")

    assert caught.value.status == 401
    assert TEST_KEY not in caught.value.user_line()


async def test_a_failed_finish_reason_is_a_failure(
    studio: Studio, stability: EmulatorServer
) -> None:
    # A JSON answer (the fault's body) that ran but did not succeed.
    stability.set_faults(
        [
            {
                "match": CORE,
                "kind": "status",
                "status": 200,
                "body": {"image": "aGVsbG8=", "finish_reason": "ERROR", "seed": 1},
            }
        ]
    )

    with pytest.raises(ProviderError) as caught:
        await studio.image("a fox", provider="stability")

    assert caught.value.code == "error"
    assert studio.jobs.get(caught.value.job_id).state is JobState.FAILED
