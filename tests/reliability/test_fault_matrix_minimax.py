"""The generation path under every emulator fault, on every MiniMax endpoint dave calls.

The same dimensions and rules as the x.ai matrix (`test_fault_matrix.py`, whose fault table, gate
and spies this reuses; the rules live in `matrix_common.py`): 8 endpoints (the three billable
POSTs, the video query, files/retrieve, and the downloads of an image, a video and a song) × 15
faults × once/always, rows and expectations computed from rules. MiniMax's own twist: the sync
music POST carries the song inline as hex in JSON, so truncate/corrupt reach it too.

Then MiniMax's business errors, which answer HTTP 200 with `base_resp.status_code` set: each
billable POST × the codes of §7.1 must end in the right DaveError and a `failed` job, and be
sent again only for the rate-limit code (the client's one retryable code on a paid call).
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest

from dave import (
    DaveError,
    Moderated,
    OutOfCredit,
    ProviderUnavailable,
    RateLimited,
    Rejected,
    Studio,
    Unauthorized,
)
from dave.emulator import EmulatorServer, FaultRule
from dave.emulator.log import LoggedRequest
from dave.providers.minimax import RATE_LIMIT_CODES

from .matrix_common import (
    FAULTS,
    PERSISTENCE,
    Endpoint,
    Provider,
    cli_rows,
    media_problems,
    resent_billable_posts,
    rows_of,
    run_cli_row,
    run_row,
    seed_poll_history,
)
from .test_fault_matrix import MAX_ATTEMPTS, PRIVATE_NAME, Hooks, hooks  # noqa: F401

ALL_OUTCOMES = frozenset({"job_failed", "job_expired", "moderated"})
LYRICS = "[Verse]\nla la la"

ENDPOINTS = (
    Endpoint(
        "POST image_generation",
        "POST /minimax/v1/image_generation",
        "image",
        billable=True,
        outcomes=frozenset({"moderated"}),
        no_outcome_reason="an image answer cannot fail or expire",
    ),
    Endpoint(
        "POST video_generation",
        "POST /minimax/v1/video_generation",
        "video",
        billable=True,
        outcomes=ALL_OUTCOMES,
    ),
    Endpoint(
        "POST music_generation",
        "POST /minimax/v1/music_generation",
        "music",
        billable=True,
        inline=True,
        json_answer=True,
        no_outcome_reason="music answers at once; its moderation is base_resp 1026 (code rows)",
    ),
    Endpoint(
        "GET query/video_generation",
        "GET /minimax/v1/query/video_generation",
        "video",
        outcomes=ALL_OUTCOMES,
    ),
    Endpoint(
        "GET files/retrieve",
        "GET /minimax/v1/files/retrieve",
        "video",
        outcomes=frozenset({"job_expired"}),
        no_outcome_reason="a file lookup can only find the file gone (expired)",
    ),
    Endpoint("GET files/*.jpeg", "GET /files/*.jpeg", "image", download=True),
    Endpoint("GET files/*.mp4", "GET /files/*.mp4", "video", download=True),
    Endpoint("GET files/*.mp3", "GET /files/*.mp3", "music_url", download=True),
)
ROWS, EXCLUDED = rows_of(ENDPOINTS)


def drive(studio: Studio, how: str, prompt: str) -> Awaitable[Any]:
    if how == "image":
        return studio.image(prompt, provider="minimax")
    if how == "video":
        return studio.video(prompt, provider="minimax")
    if how == "music":
        return studio.music(prompt, provider="minimax", lyrics=LYRICS)
    if how == "music_url":
        return studio.music(prompt, provider="minimax", lyrics=LYRICS, response_format="url")
    raise AssertionError(how)


MINIMAX = Provider(
    name="minimax",
    base_env="MINIMAX_BASE_URL",
    prefix="/minimax",
    seeded=(("video", "MiniMax-Hailuo-2.3"),),
    drive=drive,
)


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_minimax_fault_matrix(
    row: Any,
    minimax: EmulatorServer,
    hooks: Hooks,  # noqa: F811
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_row(row, MINIMAX, minimax, hooks, monkeypatch, dave_home)


def cli_args(how: str, prompt: str) -> list[str] | None:
    """The `dave` command for a drive (None: the CLI has no way to ask for a song by URL)."""
    if how == "music":
        return ["music", prompt, "--provider", "minimax", "--lyrics", LYRICS]
    if how in ("image", "video"):
        return [how, prompt, "--provider", "minimax"]
    return None


CLI_ROWS = cli_rows(ROWS, lambda row: cli_args(row.endpoint.drive, "") is not None)


@pytest.mark.parametrize("row", CLI_ROWS, ids=[row.id for row in CLI_ROWS])
async def test_minimax_fault_matrix_through_the_cli(
    row: Any,
    minimax: EmulatorServer,
    hooks: Hooks,  # noqa: F811
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = cli_args(row.endpoint.drive, f"matrix cli {row.id}")
    assert args is not None
    await run_cli_row(row, MINIMAX, args, minimax, hooks, monkeypatch, dave_home)


def test_every_minimax_endpoint_meets_every_transport_fault() -> None:
    transport = {"status", "refused", "reset", "timeout", "slow"}
    for endpoint in ENDPOINTS:
        faults = {row.fault.name for row in ROWS if row.endpoint == endpoint}
        assert {f.name for f in FAULTS if f.family in transport} <= faults, endpoint.name
    for fault in FAULTS:
        assert any(row.fault == fault for row in ROWS), f"{fault.name} reaches no endpoint"
    assert all(reason for *_, reason in EXCLUDED)
    assert len(ROWS) + len(EXCLUDED) == len(ENDPOINTS) * len(FAULTS) * len(PERSISTENCE)


# --- business errors: HTTP 200 with a non-zero base_resp ----------------------------------------

#: code → the error it must end in (§7.1); only RATE_LIMIT_CODES are sent again.
CODES: dict[int, type[DaveError]] = {
    1002: RateLimited,
    1004: Unauthorized,
    2049: Unauthorized,
    1008: OutOfCredit,
    1026: Moderated,
    2013: Rejected,
    1000: ProviderUnavailable,
}
BILLABLE = [endpoint for endpoint in ENDPOINTS if endpoint.billable]
CODE_ROWS = [
    (endpoint, code, persistence)
    for endpoint in BILLABLE
    for code in CODES
    for persistence in PERSISTENCE
    # Only a retried code can tell 'once' from 'always'.
    if persistence == "always" or code in RATE_LIMIT_CODES
]


@pytest.mark.parametrize(
    ("endpoint", "code", "persistence"),
    CODE_ROWS,
    ids=[f"{e.name} | base_resp {c} | {p}" for e, c, p in CODE_ROWS],
)
async def test_minimax_business_codes_on_billable_posts(
    endpoint: Endpoint,
    code: int,
    persistence: str,
    minimax: EmulatorServer,
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retried = code in RATE_LIMIT_CODES
    body = {"base_resp": {"status_code": code, "status_msg": f"matrix code {code}"}}
    times = 1 if persistence == "once" else 0
    minimax.config.video_ready_s = 0.05
    minimax.set_faults(
        [FaultRule(match=endpoint.match, kind="status", status=200, body=body, times=times)]
    )
    prompt = f"codes {endpoint.name} {code} {persistence}"
    caught: DaveError | None = None
    async with Studio(poll_floor_s=0.05) as studio:
        seed_poll_history(studio, "minimax", MINIMAX.seeded)
        try:
            await drive(studio, endpoint.drive, prompt)
        except DaveError as error:
            caught = error
        (job,) = [j for j in studio.jobs.list(limit=100) if j.request.get("prompt") == prompt]
        assets = studio.assets.for_job(job.id)

    posts = minimax.log.posts()
    if retried and persistence == "once":
        assert caught is None, caught and caught.user_line()
        assert job.state.value == "done"
        assert len(assets) == 1
        assert len(posts) == 2
    else:
        assert isinstance(caught, CODES[code]), f"expected {CODES[code].__name__}: {caught!r}"
        line = caught.user_line()
        assert "\n" not in line and "minimax" in line, line
        assert f"code {code}" in line, line
        assert job.state.value == "failed", (job.state.value, job.error)
        assert assets == []
        # The paid call is sent again only for a code the client treats as "not done".
        assert len(posts) == (MAX_ATTEMPTS if retried else 1), [(e.path, e.fault) for e in posts]
        assert caught.job_id == job.id
        assert not PRIVATE_NAME.search(line), line

    def told_to_wait(entry: LoggedRequest) -> bool:
        # A 200 carrying the rate-limit code says "not done" as a 429 does.
        return retried and entry.fault == "status"

    assert resent_billable_posts(minimax.log.entries(), told_to_wait) == []
    count, problems = media_problems(dave_home)
    assert problems == []
    assert count == len(assets)
