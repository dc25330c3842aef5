"""The billable-POST rule, end to end: dave resends a paid request only when the provider said
it did not do it, and never after the request may have been done."""

from __future__ import annotations

import pytest

from dave import OutcomeUnknown, ProviderUnavailable, Studio
from dave.emulator import EmulatorServer
from tests.conftest import run_dave

IMAGES = "/v1/images/generations"


async def test_a_429_then_success_sends_exactly_two_posts_and_keeps_one_job(xai: EmulatorServer):
    xai.set_faults(
        [{"match": f"POST {IMAGES}", "kind": "status", "status": 429, "retry_after": "0"}]
    )
    async with Studio() as studio:
        result = await studio.image("a lighthouse")
        jobs = studio.jobs.list()
    assert len(xai.log.posts(IMAGES)) == 2
    assert [job.id for job in jobs] == [result.job.id]
    assert result.job.state.value == "done"
    assert len(result.assets) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_answer_is_retried_because_nothing_was_done(xai: EmulatorServer, status: int):
    xai.set_faults([{"match": f"POST {IMAGES}", "kind": "status", "status": status}])
    async with Studio() as studio:
        result = await studio.image("a lighthouse")
    assert len(xai.log.posts(IMAGES)) == 2
    assert result.job.state.value == "done"


async def test_retry_after_as_an_http_date_is_honoured(xai: EmulatorServer):
    xai.set_faults(
        [
            {
                "match": f"POST {IMAGES}",
                "kind": "status",
                "status": 429,
                "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT",
            }
        ]
    )
    async with Studio() as studio:
        result = await studio.image("a lighthouse")
    assert len(xai.log.posts(IMAGES)) == 2
    assert result.job.state.value == "done"


async def test_a_reset_after_the_post_was_sent_leaves_the_job_unknown_after_one_post(
    xai: EmulatorServer,
):
    xai.set_faults([{"match": f"POST {IMAGES}", "kind": "reset"}])
    async with Studio() as studio:
        with pytest.raises(OutcomeUnknown) as caught:
            await studio.image("a lighthouse")
        job = studio.jobs.list()[0]
        assets = studio.assets.list()
    assert len(xai.log.posts(IMAGES)) == 1
    assert job.state.value == "unknown"
    assert job.attempts == 1
    assert assets == []
    assert "xai" in caught.value.user_line() and "resubmit" in caught.value.user_line()


async def test_a_read_timeout_after_sending_is_unknown_not_resent(
    xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DAVE_HTTP_READ_TIMEOUT", "0.3")
    xai.set_faults([{"match": f"POST {IMAGES}", "kind": "hang", "seconds": 3}])
    async with Studio() as studio:
        with pytest.raises(OutcomeUnknown):
            await studio.image("a lighthouse")
        assert studio.jobs.list()[0].state.value == "unknown"
    assert len(xai.log.posts(IMAGES)) == 1


async def test_retries_stop_at_the_attempt_limit_with_a_clear_error(
    xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DAVE_HTTP_MAX_ATTEMPTS", "3")
    xai.set_faults([{"match": f"POST {IMAGES}", "kind": "status", "status": 503, "times": 0}])
    async with Studio() as studio:
        with pytest.raises(ProviderUnavailable) as caught:
            await studio.image("a lighthouse")
        assert studio.jobs.list()[0].state.value == "failed"
    assert len(xai.log.posts(IMAGES)) == 3
    assert caught.value.status == 503
    assert "xai HTTP 503" in caught.value.user_line()


async def test_a_connection_refused_before_sending_is_retried_then_fails_cleanly(
    monkeypatch: pytest.MonkeyPatch,
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("XAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("XAI_API_KEY", "xai-some-key-123456")
    monkeypatch.setenv("DAVE_HTTP_MAX_ATTEMPTS", "2")
    async with Studio() as studio:
        with pytest.raises(ProviderUnavailable) as caught:
            await studio.image("a lighthouse")
        job = studio.jobs.list()[0]
    assert job.state.value == "failed"
    assert "cannot connect" in caught.value.message


def test_resume_does_not_resend_an_unknown_job_unless_asked(xai: EmulatorServer):
    xai.set_faults([{"match": f"POST {IMAGES}", "kind": "reset"}])
    first = run_dave("image", "a lighthouse", "--json")
    assert first.returncode == 1
    assert "dave: error:" in first.stderr and "Traceback" not in first.stderr
    assert len(xai.log.posts(IMAGES)) == 1

    resumed = run_dave("jobs", "resume", "--json")
    assert len(xai.log.posts(IMAGES)) == 1, "resume must not resend an unknown job"
    assert resumed.returncode == 0  # nothing unfinished: unknown is terminal until --resubmit

    listed = run_dave("jobs", "list", "--json")
    import json

    (job,) = json.loads(listed.stdout)["jobs"]
    assert job["state"] == "unknown"

    again = run_dave("jobs", "resume", job["id"], "--resubmit", "--json")
    assert again.returncode == 0, again.stderr
    assert len(xai.log.posts(IMAGES)) == 2
    (result,) = json.loads(again.stdout)["jobs"]
    assert result["job"]["state"] == "done"
    assert len(result["assets"]) == 1
