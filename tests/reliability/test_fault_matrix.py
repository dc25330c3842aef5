"""The generation path under every fault the emulator can inject, on every endpoint dave calls,
for every provider slice.

`SLICES` describes each provider in one table keyed by its name: the endpoints dave calls (which
are paid, which are polled, which are downloads, what the emulator's fault rules match there and
which outcome faults each decides), the jobs whose polls start at once, and how a request for each
endpoint is sent through the Studio and the CLI. Every test below runs over every slice; the
rules the rows follow (`applies`, `expected`) and the checks live in `matrix_common.py`.

- x.ai: the five billable POSTs, the video poll, and result downloads of an image and a video;
- MiniMax: the three billable POSTs, the video query, files/retrieve, and the downloads of an
  image, a video and a song; the sync music POST carries the song inline as hex in JSON, so
  truncate/corrupt reach it too;
- Stability: a sync generate route whose answer is the image itself, creative upscale's 200 {id},
  Stable Audio 3's 202 {id}, and the two results routes that are polled. A failed generation
  answers HTTP 500 with a v2beta body to every poll, so `job_failed` at a results route is a
  persistent fault there ('always'); bodies are multipart.

Each row is (slice, endpoint, fault, persistence): the fault happening `once` (dave must recover,
or end the one way the policy allows) or `always` (dave must give up with one clear error). Every
row checks the error and the journal's row, the requests the emulator saw at the faulted endpoint
and the POSTs in all, that no billable POST went twice unless the provider refused the first, and
that no partial or invalid file is under DAVE_HOME/media; the real CLI, for one row of each way of
failing at each kind of endpoint, shows one line and no traceback. `test_the_matrix_as_a_whole`
runs one row of each kind of fault, persistence and endpoint role one after another in one
DAVE_HOME, as a user's runs would share it, and checks the same across them.

Then each provider's own refusals of a paid call (`REFUSALS`): MiniMax's business errors, which
answer HTTP 200 with `base_resp.status_code` set, and Stability's 403/413/422 bodies.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

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
from dave.media.capabilities import providers
from dave.providers.minimax import RATE_LIMIT_CODES

from .matrix_common import (
    ALL_OUTCOMES,
    FAULTS,
    MAX_ATTEMPTS,
    PERSISTENCE,
    POLL_FLOOR_S,
    PRIVATE_NAME,
    TRANSPORT,
    Endpoint,
    Hooks,
    Row,
    Slice,
    Sources,
    cli_reachable,
    cli_rows,
    install_hooks,
    library,
    media_problems,
    resent_billable_posts,
    rows_of,
    run_cli_row,
    run_row,
    seed_poll_history,
    way_of_ending,
)

# --- x.ai -------------------------------------------------------------------------------------


def xai_drive(studio: Studio, how: str, prompt: str, sources: Sources) -> Awaitable[Any]:
    if how == "image":
        return studio.image(prompt)
    if how == "edit":
        return studio.edit(prompt, sources["png"])
    if how == "video":
        return studio.video(prompt, duration=1, aspect_ratio="1:1")
    if how == "video_edit":
        return studio.video(prompt, edit_video=sources["mp4"])
    if how == "video_extend":
        return studio.video(prompt, extend_video=sources["mp4"], duration=2)
    raise AssertionError(how)


def xai_cli_args(how: str, prompt: str, sources: Sources) -> list[str]:
    if how == "image":
        return ["image", prompt]
    if how == "edit":
        return ["edit", prompt, "--image", str(sources["png"])]
    if how == "video":
        return ["video", prompt, "--duration", "1", "--aspect-ratio", "1:1"]
    if how == "video_edit":
        return ["video", prompt, "--edit", str(sources["mp4"])]
    if how == "video_extend":
        return ["video", prompt, "--extend", str(sources["mp4"]), "--duration", "2"]
    raise AssertionError(how)


_NO_VIDEO_OUTCOME = "only a video job can end failed or expired"
_NO_FILE_OUTCOME = "moderation is decided in the answer to a submit or a poll, not in a file"
XAI = Slice(
    name="xai",
    base_env="XAI_BASE_URL",
    prefix="/v1",
    endpoints=(
        Endpoint(
            "POST images/generations",
            "POST /v1/images/generations",
            "image",
            billable=True,
            outcomes=frozenset({"moderated"}),
            no_outcome_reason=_NO_VIDEO_OUTCOME,
        ),
        Endpoint(
            "POST images/edits",
            "POST /v1/images/edits",
            "edit",
            billable=True,
            outcomes=frozenset({"moderated"}),
            no_outcome_reason=_NO_VIDEO_OUTCOME,
        ),
        Endpoint(
            "POST videos/generations",
            "POST /v1/videos/generations",
            "video",
            billable=True,
            outcomes=ALL_OUTCOMES,
        ),
        Endpoint(
            "POST videos/edits",
            "POST /v1/videos/edits",
            "video_edit",
            billable=True,
            outcomes=ALL_OUTCOMES,
        ),
        Endpoint(
            "POST videos/extensions",
            "POST /v1/videos/extensions",
            "video_extend",
            billable=True,
            outcomes=ALL_OUTCOMES,
        ),
        Endpoint("GET videos/{id}", "GET /v1/videos/*", "video", outcomes=ALL_OUTCOMES),
        Endpoint(
            "GET files/*.jpeg",
            "GET /files/*.jpeg",
            "image",
            download=True,
            no_outcome_reason=_NO_FILE_OUTCOME,
        ),
        Endpoint(
            "GET files/*.mp4",
            "GET /files/*.mp4",
            "video",
            download=True,
            no_outcome_reason=_NO_FILE_OUTCOME,
        ),
    ),
    seeded=(("video", "grok-imagine-video"), ("video", "grok-imagine-video-1.5")),
    drive=xai_drive,
    cli_args=xai_cli_args,
)

# --- MiniMax ----------------------------------------------------------------------------------

LYRICS = "[Verse]\nla la la"


def minimax_drive(studio: Studio, how: str, prompt: str, sources: Sources) -> Awaitable[Any]:
    if how == "image":
        return studio.image(prompt, provider="minimax")
    if how == "video":
        return studio.video(prompt, provider="minimax")
    if how == "music":
        return studio.music(prompt, provider="minimax", lyrics=LYRICS)
    if how == "music_url":
        return studio.music(prompt, provider="minimax", lyrics=LYRICS, response_format="url")
    raise AssertionError(how)


def minimax_cli_args(how: str, prompt: str, sources: Sources) -> list[str]:
    if how == "music":
        return ["music", prompt, "--provider", "minimax", "--lyrics", LYRICS]
    if how in ("image", "video"):
        return [how, prompt, "--provider", "minimax"]
    raise AssertionError(how)


MINIMAX = Slice(
    name="minimax",
    base_env="MINIMAX_BASE_URL",
    prefix="/minimax",
    endpoints=(
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
            no_outcome_reason="music answers at once; its moderation is base_resp 1026 (REFUSALS)",
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
    ),
    seeded=(("video", "MiniMax-Hailuo-2.3"),),
    drive=minimax_drive,
    cli_args=minimax_cli_args,
    no_cli=frozenset({"music_url"}),
)

# --- Stability --------------------------------------------------------------------------------

STABILITY_SYNC_POST = "POST /stability/v2beta/stable-image/generate/core"


def stability_drive(studio: Studio, how: str, prompt: str, sources: Sources) -> Awaitable[Any]:
    if how == "image":
        return studio.image(prompt, provider="stability")
    if how == "upscale":
        return studio.upscale(sources["png"], provider="stability", mode="creative", prompt=prompt)
    if how == "music":
        return studio.music(prompt, provider="stability", model="stable-audio-3", duration=2)
    raise AssertionError(how)


def stability_cli_args(how: str, prompt: str, sources: Sources) -> list[str]:
    if how == "image":
        return ["image", prompt, "--provider", "stability"]
    if how == "upscale":
        return ["upscale", str(sources["png"]), "--mode", "creative", "--prompt", prompt]
    if how == "music":
        return ["music", prompt, "--provider", "stability", "-m", "stable-audio-3", "-d", "2"]
    raise AssertionError(how)


STABILITY = Slice(
    name="stability",
    base_env="STABILITY_BASE_URL",
    prefix="/stability",
    endpoints=(
        Endpoint(
            "POST generate/core (sync)",
            STABILITY_SYNC_POST,
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
    ),
    seeded=(("upscale", "upscale-creative"), ("music", "stable-audio-3")),
    drive=stability_drive,
    cli_args=stability_cli_args,
)

#: Every provider slice, keyed by provider.
SLICES: dict[str, Slice] = {s.name: s for s in (XAI, MINIMAX, STABILITY)}
ROWS, EXCLUDED = rows_of(SLICES.values())
CLI_ROWS = cli_rows(ROWS)
BY_PROVIDER = pytest.mark.parametrize("provider", list(SLICES))


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    """A PNG to edit or upscale and a 2 s MP4 to edit or extend."""
    folder = tmp_path_factory.mktemp("matrix-sources")
    png = folder / "source.png"
    Image.new("RGB", (64, 64), (200, 40, 90)).save(png, format="PNG")
    mp4 = folder / "clip.mp4"
    with av.open(str(mp4), "w") as container:
        stream = container.add_stream("libx264", rate=4)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuv420p"
        for i in range(8):
            picture = Image.new("RGB", (64, 48), (i * 30 % 255, 80, 120))
            frame = av.VideoFrame.from_image(picture).reformat(format="yuv420p")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return {"png": png, "mp4": mp4}


@pytest.fixture
def emulator(minimax: EmulatorServer, stability: EmulatorServer) -> EmulatorServer:
    """The loopback emulator with no faults and an empty log, every provider pointed at it."""
    return minimax


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    return install_hooks(monkeypatch)


# --- the table --------------------------------------------------------------------------------


def test_the_matrix_has_one_slice_for_each_provider_dave_offers() -> None:
    assert set(SLICES) == set(providers())
    assert {row.slice.name for row in ROWS} == set(SLICES)


@BY_PROVIDER
def test_every_endpoint_meets_every_transport_fault_and_exclusions_have_reasons(
    provider: str,
) -> None:
    slice_ = SLICES[provider]
    rows = [row for row in ROWS if row.slice == slice_]
    excluded = [e for e in EXCLUDED if e.slice == provider]
    for endpoint in slice_.endpoints:
        faults = {row.fault.name for row in rows if row.endpoint == endpoint}
        assert {f.name for f in FAULTS if f.family in TRANSPORT} <= faults, endpoint.name
    for fault in FAULTS:
        assert any(row.fault == fault for row in rows), f"{fault.name} reaches no endpoint"
    assert all(e.reason for e in excluded)
    assert len(rows) + len(excluded) == len(slice_.endpoints) * len(FAULTS) * len(PERSISTENCE)


# --- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_fault_matrix(
    row: Row,
    emulator: EmulatorServer,
    hooks: Hooks,
    sources: Sources,
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_row(row, emulator, hooks, sources, dave_home, monkeypatch)


@pytest.mark.parametrize("row", CLI_ROWS, ids=[row.id for row in CLI_ROWS])
async def test_fault_matrix_through_the_cli(
    row: Row,
    emulator: EmulatorServer,
    hooks: Hooks,
    sources: Sources,
    dave_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_cli_row(row, emulator, hooks, sources, dave_home, monkeypatch)


@BY_PROVIDER
def test_the_cli_rows_cover_every_way_of_failing(provider: str) -> None:
    """test_fault_matrix_through_the_cli runs one row for each error at each endpoint role (and
    one that recovers), so every way of failing the CLI can reach is seen through it."""
    rows = [row for row in ROWS if row.slice.name == provider]
    ways = {way_of_ending(row) for row in rows if cli_reachable(row)}
    cli = [way_of_ending(row) for row in CLI_ROWS if row.slice.name == provider]
    assert set(cli) == ways
    assert len(cli) == len(ways)


def _cross_section(provider: str) -> list[Row]:
    """The first row (in table order) of each fault family, persistence and endpoint role."""
    chosen: dict[tuple[str, str, str], Row] = {}
    for row in ROWS:
        if row.slice.name == provider:
            chosen.setdefault((row.fault.family, row.persistence, row.endpoint.role), row)
    return list(chosen.values())


@BY_PROVIDER
@pytest.mark.timeout(600)  # ~30 rows one after another, a few waiting out timeouts
async def test_the_matrix_as_a_whole(
    provider: str,
    emulator: EmulatorServer,
    hooks: Hooks,
    sources: Sources,
    dave_home: Path,
) -> None:
    """A cross-section of the slice's rows run back to back in one DAVE_HOME: each row must show
    what it shows alone, and together no billable POST went twice without the provider refusing
    it, no file under media/ is partial or invalid, and there is one file for each asset the rows
    that ended done kept (two jobs given the same bytes share one). It runs its rows itself, so
    it passes alone and in any order."""
    slice_ = SLICES[provider]
    cross_section = _cross_section(provider)
    assert {row.fault.family for row in cross_section} == {fault.family for fault in FAULTS}
    assert {row.endpoint.role for row in cross_section} == {e.role for e in slice_.endpoints}
    entries: list[LoggedRequest] = []
    kept: list[str] = []
    for row in cross_section:
        hooks.reset()
        with pytest.MonkeyPatch.context() as monkeypatch:
            run = await run_row(row, emulator, hooks, sources, dave_home, monkeypatch)
        entries += run.entries
        kept += [run.kept] if run.kept else []
    assert 0 < len(kept) < len(cross_section)
    assert resent_billable_posts(entries) == [], "billable POSTs sent twice without a refusal"
    count, problems = media_problems(dave_home)
    assert problems == [], "partial or invalid files under DAVE_HOME/media"
    assert library(dave_home) == set(kept)
    assert count == len(set(kept))


# --- each provider's own refusals of a paid call ---------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A provider's own refusal of a billable POST: what the emulator answers, the error dave
    must end in, what its one line must say, and whether the call is sent again."""

    slice: Slice
    endpoint: Endpoint
    label: str
    status: int
    body: dict[str, Any]
    error: type[DaveError]
    says: tuple[str, ...]
    #: The provider said "not done, send again" (MiniMax's rate-limit code): the call is retried.
    retried: bool
    persistence: str

    @property
    def id(self) -> str:
        return f"{self.slice.name} | {self.endpoint.name} | {self.label} | {self.persistence}"


#: MiniMax's business codes (§7.1): HTTP 200 with a non-zero base_resp.status_code.
MINIMAX_CODES: dict[int, type[DaveError]] = {
    1002: RateLimited,
    1004: Unauthorized,
    2049: Unauthorized,
    1008: OutOfCredit,
    1026: Moderated,
    2013: Rejected,
    1000: ProviderUnavailable,
}
#: Stability's refusals: HTTP status → (the v2beta error name, the error).
STABILITY_REFUSALS: dict[int, tuple[str, type[DaveError]]] = {
    403: ("content_moderation", Moderated),
    413: ("payload_too_large", Rejected),
    422: ("invalid_prompts", Rejected),
}


def _refusals() -> list[Refusal]:
    rows = []
    for endpoint in (e for e in MINIMAX.endpoints if e.billable):
        for code, error in MINIMAX_CODES.items():
            retried = code in RATE_LIMIT_CODES
            body = {"base_resp": {"status_code": code, "status_msg": f"matrix code {code}"}}
            # Only a retried code can tell 'once' from 'always'.
            for persistence in PERSISTENCE if retried else ("always",):
                rows.append(
                    Refusal(
                        slice=MINIMAX,
                        endpoint=endpoint,
                        label=f"base_resp {code}",
                        status=200,
                        body=body,
                        error=error,
                        says=(f"code {code}",),
                        retried=retried,
                        persistence=persistence,
                    )
                )
    for endpoint in (e for e in STABILITY.endpoints if e.billable):
        for status, (name, error) in STABILITY_REFUSALS.items():
            rows.append(
                Refusal(
                    slice=STABILITY,
                    endpoint=endpoint,
                    label=f"HTTP {status}",
                    status=status,
                    body={"id": "a1b2c3d4", "name": name, "errors": [f"matrix refusal {name}"]},
                    error=error,
                    says=(f"HTTP {status}", f"matrix refusal {name}"),
                    retried=False,
                    persistence="always",
                )
            )
    return rows


REFUSALS = _refusals()


def test_every_provider_refusal_is_tried_on_every_billable_post_it_has() -> None:
    for refusing in (MINIMAX, STABILITY):
        billable = {e.name for e in refusing.endpoints if e.billable}
        tried = {r.endpoint.name for r in REFUSALS if r.slice == refusing}
        assert tried == billable, refusing.name
    assert len(REFUSALS) == len({r.id for r in REFUSALS})


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.id for r in REFUSALS])
async def test_a_provider_refusal_of_a_paid_call_ends_the_job_and_is_resent_only_if_told_to_wait(
    refusal: Refusal,
    emulator: EmulatorServer,
    sources: Sources,
    dave_home: Path,
) -> None:
    slice_, endpoint = refusal.slice, refusal.endpoint
    times = 1 if refusal.persistence == "once" else 0
    emulator.config.video_ready_s = 0.05
    emulator.set_faults(
        [
            FaultRule(
                match=endpoint.match,
                kind="status",
                status=refusal.status,
                body=refusal.body,
                times=times,
            )
        ]
    )
    prompt = f"refusal {refusal.id}"
    caught: DaveError | None = None
    async with Studio(poll_floor_s=POLL_FLOOR_S) as studio:
        seed_poll_history(studio, slice_.name, slice_.seeded)
        try:
            await slice_.drive(studio, endpoint.drive, prompt, sources)
        except DaveError as error:
            caught = error
        (job,) = [j for j in studio.jobs.list(limit=100) if j.request.get("prompt") == prompt]
        assets = studio.assets.for_job(job.id)

    posts = emulator.log.posts()
    if refusal.retried and refusal.persistence == "once":
        assert caught is None, caught and caught.user_line()
        assert job.state.value == "done"
        assert len(assets) == 1
        assert len(posts) == 2
    else:
        assert isinstance(caught, refusal.error), f"expected {refusal.error.__name__}: {caught!r}"
        line = caught.user_line()
        assert "\n" not in line and slice_.name in line, line
        for words in refusal.says:
            assert words in line, line
        assert not PRIVATE_NAME.search(line), line
        assert caught.job_id == job.id
        assert job.state.value == "failed", (job.state.value, job.error)
        assert assets == []
        # The paid call is sent again only for an answer that says "not done".
        expected_posts = MAX_ATTEMPTS if refusal.retried else 1
        assert len(posts) == expected_posts, [(e.path, e.fault) for e in posts]

    def told_to_wait(entry: LoggedRequest) -> bool:
        # A 200 carrying the rate-limit code says "not done" as a 429 does.
        return refusal.retried and entry.fault == "status"

    assert resent_billable_posts(emulator.log.entries(), told_to_wait) == []
    count, problems = media_problems(dave_home)
    assert problems == []
    assert count == len(assets)
