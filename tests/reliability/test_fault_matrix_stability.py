"""The generation path under every emulator fault, on every Stability endpoint dave calls.

The same dimensions and rules as the x.ai matrix (`test_fault_matrix.py`, whose fault table, gate
and spies this reuses; the rules live in `matrix_common.py`): 5 endpoints (a sync generate route
whose answer is the image itself, creative upscale's 200 {id}, Stable Audio 3's 202 {id}, and
the two results routes that are polled) × 15 faults × once/always. Stability's twists:

- the sync POST carries the media, so truncate (→ `unknown`, one POST) and corrupt (→ a broken
  inline file, kept aside, never re-sent) reach it;
- a failed generation answers HTTP 500 with a v2beta body to every poll, so `job_failed` at a
  results route is a persistent fault there ('always'); one such answer is just a 5xx;
- bodies are multipart: "the same POST" is the same path and text fields (`matrix_common`).

Then the Stability-specific refusals on each billable POST: 403 content_moderation → Moderated,
413 and 422 → Rejected, each a `failed` job after one POST; and 200 with
`finish-reason: CONTENT_FILTERED` → Moderated with no file kept.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dave import DaveError, Moderated, Rejected, Studio, VerificationFailed
from dave.emulator import EmulatorServer, FaultRule

from .matrix_common import (
    FAULTS,
    PERSISTENCE,
    Endpoint,
    Provider,
    check_error_line,
    cli_rows,
    media_problems,
    resent_billable_posts,
    rows_of,
    run_cli_row,
    run_row,
    seed_poll_history,
)
from .test_fault_matrix import Hooks, hooks  # noqa: F401  (a fixture)

ALL_OUTCOMES = frozenset({"job_failed", "job_expired", "moderated"})
SYNC_POST = "POST /stability/v2beta/stable-image/generate/core"

ENDPOINTS = (
    Endpoint(
        "POST generate/core (sync)",
        SYNC_POST,
        "image",
        billable=True,
        inline=True,
        outcomes=frozenset({"moderated"}),
        no_outcome_reason="a sync answer cannot fail or expire later",
    ),
    Endpoint(
        "POST upscale/creative (200 id)",
        "POST /stability/v2beta/stable-image/upscale/creative",
        "upscale",
        billable=True,
        outcomes=ALL_OUTCOMES,
    ),
    Endpoint(
        "POST stable-audio-3 (202 id)",
        "POST /stability/v2beta/audio/stable-audio/text-to-audio",
        "music",
        billable=True,
        outcomes=ALL_OUTCOMES,
    ),
    Endpoint(
        "GET results/{id}",
        "GET /stability/v2beta/results/*",
        "upscale",
        outcomes=ALL_OUTCOMES,
        persistent=frozenset({"job_failed"}),
    ),
    Endpoint(
        "GET audio/results/{id}",
        "GET /stability/v2beta/audio/results/*",
        "music",
        outcomes=ALL_OUTCOMES,
        persistent=frozenset({"job_failed"}),
    ),
)
ROWS, EXCLUDED = rows_of(ENDPOINTS)


def drive(studio: Studio, how: str, prompt: str, *, png: Path) -> Awaitable[Any]:
    if how == "image":
        return studio.image(prompt, provider="stability")
    if how == "upscale":
        return studio.upscale(png, provider="stability", mode="creative", prompt=prompt)
    if how == "music":
        return studio.music(prompt, provider="stability", model="stable-audio-3", duration=2)
    raise AssertionError(how)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Provider:
    png = tmp_path_factory.mktemp("stability-matrix") / "small.png"
    Image.new("RGB", (64, 64), (40, 160, 90)).save(png, format="PNG")
    return Provider(
        name="stability",
        base_env="STABILITY_BASE_URL",
        prefix="/stability",
        seeded=(("upscale", "upscale-creative"), ("music", "stable-audio-3")),
        drive=functools.partial(drive, png=png),
    )


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_stability_fault_matrix(
    row: Any,
    provider: Provider,
    stability: EmulatorServer,
    hooks: Hooks,  # noqa: F811
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_row(row, provider, stability, hooks, monkeypatch, dave_home)


def cli_args(how: str, prompt: str, png: Path) -> list[str]:
    if how == "image":
        return ["image", prompt, "--provider", "stability"]
    if how == "upscale":
        return ["upscale", str(png), "--mode", "creative", "--prompt", prompt]
    if how == "music":
        return ["music", prompt, "--provider", "stability", "-m", "stable-audio-3", "-d", "2"]
    raise AssertionError(how)


CLI_ROWS = cli_rows(ROWS, lambda row: True)


@pytest.mark.parametrize("row", CLI_ROWS, ids=[row.id for row in CLI_ROWS])
async def test_stability_fault_matrix_through_the_cli(
    row: Any,
    provider: Provider,
    stability: EmulatorServer,
    hooks: Hooks,  # noqa: F811
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    png = provider.drive.keywords["png"]  # type: ignore[attr-defined]
    args = cli_args(row.endpoint.drive, f"matrix cli {row.id}", png)
    await run_cli_row(row, provider, args, stability, hooks, monkeypatch, dave_home)


def test_every_stability_endpoint_meets_every_transport_fault() -> None:
    transport = {"status", "refused", "reset", "timeout", "slow"}
    for endpoint in ENDPOINTS:
        faults = {row.fault.name for row in ROWS if row.endpoint == endpoint}
        assert {f.name for f in FAULTS if f.family in transport} <= faults, endpoint.name
    for fault in FAULTS:
        assert any(row.fault == fault for row in ROWS), f"{fault.name} reaches no endpoint"
    assert all(reason for *_, reason in EXCLUDED)
    assert len(ROWS) + len(EXCLUDED) == len(ENDPOINTS) * len(FAULTS) * len(PERSISTENCE)


# --- Stability's own refusals ------------------------------------------------------------------

REFUSALS: dict[int, tuple[str, type[DaveError]]] = {
    403: ("content_moderation", Moderated),
    413: ("payload_too_large", Rejected),
    422: ("invalid_prompts", Rejected),
}
BILLABLE = [endpoint for endpoint in ENDPOINTS if endpoint.billable]
REFUSAL_ROWS = [(endpoint, status) for endpoint in BILLABLE for status in REFUSALS]


@pytest.mark.parametrize(
    ("endpoint", "status"), REFUSAL_ROWS, ids=[f"{e.name} | HTTP {s}" for e, s in REFUSAL_ROWS]
)
async def test_stability_refusals_on_billable_posts(
    endpoint: Endpoint,
    status: int,
    provider: Provider,
    stability: EmulatorServer,
    dave_home: Path,
) -> None:
    name, error_type = REFUSALS[status]
    body = {"id": "a1b2c3d4", "name": name, "errors": [f"matrix refusal {name}"]}
    stability.set_faults(
        [FaultRule(match=endpoint.match, kind="status", status=status, body=body, times=0)]
    )
    prompt = f"refusal {endpoint.name} {status}"
    caught: DaveError | None = None
    async with Studio(poll_floor_s=0.05) as studio:
        seed_poll_history(studio, "stability", provider.seeded)
        try:
            await provider.drive(studio, endpoint.drive, prompt)
        except DaveError as error:
            caught = error
        (job,) = [j for j in studio.jobs.list(limit=100) if j.request.get("prompt") == prompt]
        assets = studio.assets.for_job(job.id)

    assert isinstance(caught, error_type), f"expected {error_type.__name__}: {caught!r}"
    line = caught.user_line()
    assert "\n" not in line and "stability" in line and f"HTTP {status}" in line, line
    assert f"matrix refusal {name}" in line, line
    assert caught.job_id == job.id
    assert job.state.value == "failed", (job.state.value, job.error)
    assert assets == []
    assert len(stability.log.posts()) == 1  # a refusal is never sent again
    assert resent_billable_posts(stability.log.entries()) == []
    assert media_problems(dave_home) == (0, [])


async def test_content_filtered_sync_answer_is_moderated_and_never_kept(
    provider: Provider, stability: EmulatorServer, dave_home: Path
) -> None:
    """200 with `finish-reason: CONTENT_FILTERED` (a blurred image): Moderated, no file."""
    stability.set_faults([FaultRule(match=SYNC_POST, kind="moderated")])
    async with Studio() as studio:
        with pytest.raises(Moderated) as caught:
            await provider.drive(studio, "image", "filtered")
        job = studio.jobs.get(caught.value.job_id)
        assert studio.assets.for_job(job.id) == []

    (post,) = stability.log.posts()
    assert (post.status, post.fault) == (200, "moderated")
    assert (job.state.value, job.error_code) == ("failed", "moderated")
    check_error_line(caught.value, "stability", None, "post")
    assert media_problems(dave_home) == (0, [])


async def test_a_broken_inline_answer_ends_the_job_instead_of_leaving_resume_a_dead_end(
    provider: Provider, stability: EmulatorServer, dave_home: Path
) -> None:
    """The bytes came in the (paid) answer and do not decode: there is no URL to fetch again,
    so the job must end, and `resume` must neither re-send it nor keep retrying it."""
    stability.set_faults([FaultRule(match=SYNC_POST, kind="corrupt")])
    async with Studio() as studio:
        with pytest.raises(VerificationFailed) as caught:
            await provider.drive(studio, "image", "broken inline")
        job_id = caught.value.job_id
        assert job_id is not None
        resumed = await studio.resume()
        job = studio.jobs.get(job_id)

    assert [r.job.id for r in resumed if r.job.id == job_id] == [], "resume picked it up again"
    assert job.state.value == "failed", (job.state.value, job.error, job.result)
    assert len(stability.log.posts()) == 1
    assert media_problems(dave_home) == (0, [])
