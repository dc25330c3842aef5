"""How MiniMax's errors reach a user: every base_resp code class (HTTP 200, non-zero code) and
gateway error becomes the right DaveError and a failed job; which codes are retried; moderated
images and videos; failed and expired video tasks."""

from __future__ import annotations

from typing import Any

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
from dave.emulator import EmulatorServer, FaultRule

IMAGE_POST = "POST /minimax/v1/image_generation"


def business(code: int, message: str = "refused") -> dict[str, Any]:
    return {"base_resp": {"status_code": code, "status_msg": message}}


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (1004, Unauthorized),
        (2049, Unauthorized),
        (2044, Unauthorized),
        (1008, OutOfCredit),
        (1028, OutOfCredit),
        (2056, OutOfCredit),
        (2061, OutOfCredit),
        (1026, Moderated),
        (2013, Rejected),
        (1042, Rejected),
        (1000, ProviderUnavailable),
        (1033, ProviderUnavailable),
        (4242, ProviderError),
    ],
)
async def test_a_business_code_on_http_200_fails_the_job_with_its_error_and_is_sent_once(
    studio: Studio, minimax: EmulatorServer, code: int, error: type[ProviderError]
) -> None:
    minimax.set_faults([FaultRule(match=IMAGE_POST, kind="status", status=200,
                                  body=business(code, f"code {code} says no"))])  # fmt: skip

    with pytest.raises(error) as caught:
        await studio.image("a red fox", provider="minimax")

    assert type(caught.value) is error
    assert f"code {code} says no" in caught.value.message
    assert caught.value.code == str(code)
    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == "failed"
    assert job.error_code == str(code)
    # Nothing but a rate limit is sent twice: a paid call must never pay twice.
    assert len(minimax.log.posts()) == 1
    assert minimax.log.gets("/files/*") == []


async def test_a_rate_limit_code_is_retried_until_attempts_run_out(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.set_faults([FaultRule(match=IMAGE_POST, kind="status", status=200,
                                  body=business(1002, "rpm limit"), times=0)])  # fmt: skip

    with pytest.raises(RateLimited, match="rpm limit"):
        await studio.image("a red fox", provider="minimax")

    assert len(minimax.log.posts()) == 4  # DAVE_HTTP max_attempts


async def test_http_errors_and_business_codes_share_one_budget_of_attempts(
    studio: Studio, minimax: EmulatorServer
) -> None:
    # Three 503s, then a rate-limit code for ever: one retry policy, so 4 sends in all (a
    # loop of its own inside the HTTP policy's would send 3 + 4 = 7).
    minimax.set_faults([
        FaultRule(match=IMAGE_POST, kind="status", status=503, times=3),
        FaultRule(match=IMAGE_POST, kind="status", status=200,
                  body=business(1002, "rpm limit"), times=0),
    ])  # fmt: skip

    with pytest.raises(RateLimited, match="rpm limit"):
        await studio.image("a red fox", provider="minimax")

    assert len(minimax.log.posts()) == 4  # DAVE_HTTP max_attempts


async def test_one_rate_limit_then_success_makes_the_image(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.set_faults([FaultRule(match=IMAGE_POST, kind="status", status=200,
                                  body=business(2045, "too steep"))])  # fmt: skip

    result = await studio.image("a red fox", provider="minimax")

    assert result.job.state.value == "done"
    assert len(minimax.log.posts()) == 2


async def test_a_server_code_on_a_free_query_is_retried(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.set_faults([FaultRule(match="GET /minimax/v1/query/*", kind="status", status=200,
                                  body=business(1000, "unknown error"), times=2)])  # fmt: skip

    result = await studio.video("a calm lake", provider="minimax")

    assert result.job.state.value == "done"
    assert [q.fault for q in minimax.log.gets("/minimax/v1/query/*")][:2] == ["status", "status"]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, business(1004, "login fail"), Unauthorized),
        (403, {"error": {"message": "forbidden here", "code": "forbidden"}}, Unauthorized),
        (402, {"error": {"message": "balance is empty"}}, OutOfCredit),
        (400, {"error": {"message": "bad field"}}, Rejected),
        (429, "<html>slow down</html>", RateLimited),
        (502, "<html>bad gateway</html>", ProviderUnavailable),
    ],
)
async def test_gateway_errors_map_by_body_then_status(
    studio: Studio, minimax: EmulatorServer, status: int, body: Any, error: type[ProviderError]
) -> None:
    minimax.set_faults([FaultRule(match=IMAGE_POST, kind="status", status=status, body=body,
                                  times=0)])  # fmt: skip

    with pytest.raises(error) as caught:
        await studio.image("a red fox", provider="minimax")

    assert type(caught.value) is error
    assert caught.value.status == status
    assert studio.jobs.get(caught.value.job_id).state.value == "failed"


async def test_a_wrong_key_gets_2049_and_never_shows_the_key(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.config.api_keys = ["the-only-good-key"]

    with pytest.raises(Unauthorized) as caught:
        await studio.image("a red fox", provider="minimax")

    assert caught.value.code == "2049"
    assert "invalid api key" in caught.value.message
    assert "xai-test-key" not in caught.value.user_line()
    (post,) = minimax.log.posts()
    assert post.status == 200


async def test_a_single_moderated_image_fails_the_job_as_moderated(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.set_faults([FaultRule(match=IMAGE_POST, kind="moderated")])

    with pytest.raises(Moderated) as caught:
        await studio.image("a red fox", provider="minimax")

    job = studio.jobs.get(caught.value.job_id)
    assert (job.state.value, job.error_code) == ("failed", "moderated")


async def test_partly_moderated_images_keep_the_rest_and_count_the_withheld(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.set_faults([FaultRule(match=IMAGE_POST, kind="moderated")])

    result = await studio.image("three foxes", provider="minimax", n=3)

    assert len(result.assets) == 1
    job = studio.jobs.get(result.job.id)
    assert job.result is not None and job.result["moderated"] == 2
    assert result.to_dict()["job"]["details"]["failed_count"] == 2


@pytest.mark.parametrize(
    ("kind", "error", "state"),
    [("moderated", Moderated, "failed"), ("job_failed", JobFailed, "failed"),
     ("job_expired", JobExpired, "expired")],
)  # fmt: skip
async def test_video_task_outcomes_end_the_job_as_the_emulator_says(
    studio: Studio, minimax: EmulatorServer, kind: str, error: type[ProviderError], state: str
) -> None:
    minimax.set_faults([FaultRule(match="POST /minimax/v1/video_generation", kind=kind,  # type: ignore[arg-type]
                                  message="the render farm caught fire")])  # fmt: skip

    with pytest.raises(error) as caught:
        await studio.video("a volcano", provider="minimax")

    job = studio.jobs.get(caught.value.job_id)
    assert job.state.value == state
    assert job.provider_job_id
    assert studio.assets.for_job(job.id) == []
    if kind == "job_failed":
        assert "the render farm caught fire" in (job.error or "")
        assert job.error_code == "1000"
    if kind == "job_expired":
        (retrieve,) = minimax.log.gets("/minimax/v1/files/retrieve")
        assert retrieve.status == 404
    assert minimax.log.gets("/files/*") == []
