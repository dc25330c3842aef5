"""A dave process killed (SIGKILL) at any moment of a generation loses nothing and pays once:
`dave jobs resume` finishes every job it can, and what it cannot finish it marks `unknown`
without sending the paid request again.

The emulator runs as a separate process (`python -m dave emulator serve --faults FILE`), so it
outlives the dave processes it serves and its request log (`GET /_emulator/requests`) is the
provider's own record of what was paid for. Each provider slice gets its own emulator process,
whose config (`STRETCH`, keyed by provider) stretches each phase of that provider's generations
so kills can land in it: jobs take 1.5 s, the paid POSTs hang 0.3 s before they are answered, and
result bytes (x.ai's and MiniMax's files, Stability's poll answer that is the image) arrive in
small slow chunks.

The sweeps (`SWEEPS`) kill each way of making media at seeded moments spread over an unkilled
run's life: an x.ai video (20 kills), an x.ai image as b64 and as a URL, a MiniMax video and a
Stability creative upscale (8 kills each). Each kill gets its own DAVE_HOME: a kill's outcome is
then read from that journal alone, `resume` sees only the job that kill left (not a sibling's
live job, which it would rightly mark `unknown` if it caught it in `submitting`), and the runs can
go several at a time to keep the file inside a few minutes. Homes of async jobs are seeded with
three finished jobs of history, as a user's journal would hold, so the CLI's poll schedule
expects ~1 s jobs (on an empty journal it waits ~13 s before its second poll).

The kills aimed at one phase (on the wire, mid-download) and the resubmit checks run on x.ai.
"""

from __future__ import annotations

import json
import random
import stat
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.reliability.helpers_procs import (
    VIDEO_MODEL,
    EmulatorProcess,
    KilledRun,
    assert_clean_output,
    assets_of,
    check_asset,
    dave_env,
    jobs_in,
    library_files,
    run_and_kill,
    run_dave,
    seed_quick_polls,
    temp_files,
    watching,
)

from dave.media.capabilities import providers
from dave.store import JobState, Store

SEED = 20260509
RESUME_WORKERS = 4
VIDEO_POST = "/v1/videos/generations"
IMAGE_POST = "/v1/images/generations"
MINIMAX_VIDEO_POST = "/minimax/v1/video_generation"
UPSCALE_POST = "/stability/v2beta/stable-image/upscale/creative"
VIDEO_READY_S = 1.5

#: What stretches each provider's phases, for its own emulator process (every matching request,
#: for the whole module).
STRETCH: dict[str, list[dict[str, Any]]] = {
    "xai": [
        # The paid requests take a moment, so a kill can land while one is on the wire.
        {"match": f"POST {VIDEO_POST}", "kind": "hang", "seconds": 0.3},
        {"match": f"POST {IMAGE_POST}", "kind": "hang", "seconds": 0.3},
        # Results arrive slowly, so a kill can land mid-download (a 2 s clip is ~7-11 kB).
        {"match": "GET /files/*.mp4", "kind": "slow", "seconds": 0.07, "chunk_size": 1024},
        {"match": "GET /files/*.jpeg", "kind": "slow", "seconds": 0.05, "chunk_size": 4096},
    ],
    "minimax": [
        {"match": f"POST {MINIMAX_VIDEO_POST}", "kind": "hang", "seconds": 0.3},
        {"match": "GET /files/*.mp4", "kind": "slow", "seconds": 0.05, "chunk_size": 4096},
    ],
    "stability": [
        {"match": f"POST {UPSCALE_POST}", "kind": "hang", "seconds": 0.3},
        # Stability's finished poll answers with the image itself.
        {"match": "GET /stability/v2beta/results/*", "kind": "slow", "seconds": 0.05,
         "chunk_size": 4096},
    ],
}  # fmt: skip
for _rules in STRETCH.values():
    for _rule in _rules:
        _rule["times"] = 0

pytestmark = pytest.mark.timeout(240)

#: Sources a command may take: a small PNG to upscale.
Sources = dict[str, Path]


class Emulators:
    """One emulator process per provider slice, with that slice's `STRETCH`, started when a
    test first asks for it and stopped at the end of the module."""

    def __init__(self, root: Path, stack: ExitStack) -> None:
        self._root, self._stack = root, stack
        self._running: dict[str, EmulatorProcess] = {}

    def __call__(self, provider: str) -> EmulatorProcess:
        if provider not in self._running:
            config = {"video_ready_s": VIDEO_READY_S, "faults": STRETCH[provider]}
            process = EmulatorProcess(config, self._root / provider)
            self._running[provider] = self._stack.enter_context(process)
        return self._running[provider]


@pytest.fixture(scope="module")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulators]:
    with ExitStack() as stack:
        yield Emulators(tmp_path_factory.mktemp("emulators"), stack)


@pytest.fixture(scope="module")
def emulator(emulators: Emulators) -> EmulatorProcess:
    """The x.ai slice's emulator process, for the kills aimed at one phase."""
    return emulators("xai")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    path = tmp_path_factory.mktemp("upscale-source") / "small.png"
    Image.new("RGB", (64, 64), (200, 120, 40)).save(path, format="PNG")
    return {"png": path}


@dataclass(frozen=True)
class Kind:
    """One way of making media from the CLI, and where its paid request goes."""

    name: str
    provider: str
    medium: str
    post_path: str
    args: Callable[[str, Sources], list[str]]
    #: (job kind, model) whose poll history is seeded, so polls start at once (async jobs).
    seeds: tuple[tuple[str, str], ...]
    workers: int
    """Runs killed side by side: a video run mostly waits; an image run is mostly start-up,
    which several processes slow down on a small machine."""
    #: Kills in a sweep, and how many different states they must leave at least.
    kills: int = 8
    phases: int = 3

    @property
    def label(self) -> str:
        """The name with its provider: `xai-video`, `minimax-video`."""
        prefix = f"{self.provider}-"
        return self.name if self.name.startswith(prefix) else prefix + self.name

    @property
    def id(self) -> str:
        return f"{self.label}, {self.kills} kills"


VIDEO = Kind(
    "video", "xai", "video", VIDEO_POST,
    lambda p, _: ["video", p, "--duration", "2", "--json"],
    (("video", VIDEO_MODEL),), 3, kills=20,
)  # fmt: skip
IMAGE_B64 = Kind(
    "image-b64", "xai", "image", IMAGE_POST,
    lambda p, _: ["image", p, "--opt", "response_format=b64_json", "--json"], (), 2, phases=2,
)  # fmt: skip
IMAGE_URL = Kind(
    "image-url", "xai", "image", IMAGE_POST,
    lambda p, _: ["image", p, "--opt", "response_format=url", "--json"], (), 2, phases=2,
)  # fmt: skip
MINIMAX_VIDEO = Kind(
    "minimax-video", "minimax", "video", MINIMAX_VIDEO_POST,
    lambda p, _: ["video", p, "--provider", "minimax", "--json"],
    (("video", "MiniMax-Hailuo-2.3"),), 3,
)  # fmt: skip
STABILITY_UPSCALE = Kind(
    "stability-upscale", "stability", "image", UPSCALE_POST,
    lambda p, s: ["upscale", str(s["png"]), "--mode", "creative", "--prompt", p, "--json"],
    (("upscale", "upscale-creative"),), 3,
)  # fmt: skip
#: Every sweep, over every provider slice.
SWEEPS = (VIDEO, IMAGE_B64, IMAGE_URL, MINIMAX_VIDEO, STABILITY_UPSCALE)


@dataclass
class Crash:
    """A generation killed `delay_s` after it started, as its DAVE_HOME was left."""

    index: int
    delay_s: float
    home: Path
    seeds: set[str]
    prompt: str
    run: KilledRun
    after_kill: str  # the job's state after the kill, or "(no job)"
    temps_after_kill: list[str]


@dataclass
class Outcome:
    """What resume made of one crash, and what was wrong with it (collected, not raised, so
    that one sweep reports every run that went wrong)."""

    crash: Crash
    after_resume: str
    posts: int
    temps_after_resume: list[str]
    resume_rc: int
    problems: list[str] = field(default_factory=list)

    def row(self) -> str:
        crash = self.crash
        killed = "SIGKILL" if crash.run.killed else f"exit {crash.run.returncode}"
        temps = f"{len(crash.temps_after_kill)}→{len(self.temps_after_resume)}"
        return (
            f"{crash.index:>3} {crash.delay_s:>7.3f}  {killed:<8} {crash.after_kill:<12}"
            f" → {self.after_resume:<9} POSTs={self.posts}  temps {temps:<4}"
            f" resume rc={self.resume_rc}" + ("  PROBLEM" if self.problems else "")
        )


def prompt_for(kind: Kind, index: int) -> str:
    return f"crash {kind.label} {index:02d}: a lighthouse in a storm"


def prepare_home(root: Path, kind: Kind, label: str) -> tuple[Path, set[str]]:
    home = root / f"{kind.label}-{label}"
    seeds = seed_quick_polls(home, kind.provider, kind.seeds) if kind.seeds else set()
    return home, seeds


def crash(
    emulator: EmulatorProcess,
    root: Path,
    kind: Kind,
    sources: Sources,
    index: int,
    delay_s: float,
) -> Crash:
    """Start a generation in a fresh DAVE_HOME and SIGKILL it after `delay_s`."""
    home, seeds = prepare_home(root, kind, f"{index:02d}")
    prompt = prompt_for(kind, index)
    args = kind.args(prompt, sources)
    if index == 0:  # the first slice: wherever the run is, before its job or not
        run = run_and_kill(args, dave_env(home, emulator), delay_s=delay_s)
    else:
        # The later slices fall in the job's life even when the machine is slower than it was
        # when the run was measured: the kill waits for the job's row as well as the delay.
        with watching(home, prompt) as watcher:
            started = time.monotonic()
            run = run_and_kill(
                args,
                dave_env(home, emulator),
                kill_when=lambda: (
                    time.monotonic() - started >= delay_s and watcher.state() is not None
                ),
            )
    jobs = jobs_in(home, exclude=seeds)
    after_kill = ", ".join(job.state.value for job in jobs) or "(no job)"
    temps = [p.name for p in temp_files(home)]
    return Crash(index, delay_s, home, seeds, prompt, run, after_kill, temps)


def resume_and_check(emulator: EmulatorProcess, kind: Kind, crashed: Crash) -> Outcome:
    """`dave jobs resume --json` in the crash's home, then check everything it left."""
    home, run = crashed.home, crashed.run
    problems: list[str] = []

    def check(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    check(run.killed or run.returncode == 0, f"the unkilled run failed: {run.stderr}")
    check("," not in crashed.after_kill, f"one `dave` run journaled {crashed.after_kill}")
    resume = run_dave("jobs", "resume", "--json", env=dave_env(home, emulator))
    for who, text in (("the killed run", run.stderr), ("resume", resume.stderr)):
        try:
            assert_clean_output(text, who)
        except AssertionError as error:
            problems.append(str(error))
    try:
        resumed = json.loads(resume.stdout)["jobs"]
    except (ValueError, KeyError):
        resumed = None
        problems.append(f"resume did not print its JSON: {resume.stdout!r} {resume.stderr!r}")

    jobs = jobs_in(home, exclude=crashed.seeds)
    posts = len(emulator.posts(kind.post_path, crashed.prompt))
    after_resume = ", ".join(job.state.value for job in jobs) or "(no job)"
    temps_after_resume = [p.name for p in temp_files(home)]
    outcome = Outcome(crashed, after_resume, posts, temps_after_resume, resume.returncode, problems)

    # A paid request goes out at most once per dave job; never twice (nothing was resubmitted).
    check(posts <= 1, f"{posts} POSTs to {kind.post_path} for one dave job")
    if not jobs:
        check(posts == 0, f"no job journaled, yet {posts} POST(s) reached the provider")
        check(resume.returncode == 0, f"resume with nothing to do exited {resume.returncode}")
        check(resumed in (None, []), f"resume reported {resumed} with no job journaled")
    for job in jobs:
        if resumed is not None and crashed.after_kill != "done":
            check(
                [(j["job"]["id"], j["job"]["state"]) for j in resumed] == [(job.id, job.state)],
                f"resume reported {resumed}",
            )
        if job.state.value == "done":
            check(posts == 1, f"a done job, but {posts} POSTs")
            check(job.attempts == 1, f"a done job sent {job.attempts} times")
            check(resume.returncode == 0, f"resume exited {resume.returncode}: {resume.stderr}")
            assets = assets_of(home, job.id)
            check(len(assets) == 1, f"a done job has {len(assets)} assets")
            for asset in assets:
                try:
                    check_asset(home, asset, kind.medium)
                except AssertionError as error:
                    problems.append(f"asset: {error}")
        elif job.state.value == "unknown":
            # Only a kill between sending the POST and journaling its answer may end here, and
            # then the provider saw that POST once (or not at all, if the kill beat the bytes).
            check(crashed.after_kill == "submitting", f"unknown after {crashed.after_kill!r}")
            check(job.error_code == "outcome_unknown", f"unknown with code {job.error_code}")
            check(resume.returncode == 1, f"resume left it unknown, yet exited {resume.returncode}")
        else:
            problems.append(f"resume left the job {job.state.value!r}: {resume.stderr}")

    # Every file in the library is some asset's; nothing half-written is left anywhere.
    kept = {p.relative_to(home / "media").as_posix() for p in library_files(home)}
    recorded = {a.path for job in jobs for a in assets_of(home, job.id)}
    check(kept == recorded, f"library files {sorted(kept)} but asset rows {sorted(recorded)}")
    leftovers = set(temps_after_resume)
    check(leftovers <= set(crashed.temps_after_kill), f"resume left temp files: {leftovers}")
    check(not leftovers, f"temp files left after resume: {sorted(leftovers)}")
    return outcome


def measure(emulator: EmulatorProcess, root: Path, kind: Kind, sources: Sources) -> float:
    """Seconds an unkilled run takes: the median of `kind.workers` runs side by side, the load
    the kill runs see. Each must end `done` with one POST and one good asset."""

    def one(index: int) -> float:
        home, seeds = prepare_home(root, kind, f"measure-{index}")
        prompt = f"measure {kind.label} {index}: a lighthouse in a storm"
        run = run_and_kill(kind.args(prompt, sources), dave_env(home, emulator), delay_s=60)
        assert run.returncode == 0, run.stderr
        assert_clean_output(run.stderr, "an unkilled run")
        (job,) = jobs_in(home, exclude=seeds)
        assert job.state.value == "done"
        assert json.loads(run.stdout)["job"]["id"] == job.id
        (asset,) = assets_of(home, job.id)
        check_asset(home, asset, kind.medium)
        assert len(emulator.posts(kind.post_path, prompt)) == 1
        return run.elapsed_s

    with ThreadPoolExecutor(kind.workers) as pool:
        return statistics.median(pool.map(one, range(kind.workers)))


def kill_sweep(
    emulator: EmulatorProcess, root: Path, kind: Kind, sources: Sources
) -> list[Outcome]:
    """Kill `kind.kills` runs at moments spread over an unkilled run's life, then resume each."""
    kills = kind.kills
    span = measure(emulator, root, kind, sources)
    # One kill in each of `kills` equal slices of an unkilled run's life, at a random point of
    # its slice: spread over the whole life, and the same delays on every run of the suite.
    rng = random.Random(f"{SEED}-{kind.name}")
    delays = [round((i + rng.random()) * span / kills, 3) for i in range(kills)]
    print(f"\n{kind.id}: an unkilled run takes {span:.2f}s; seed {SEED}; kill delays (s):")
    print("  " + ", ".join(f"{d:.3f}" for d in delays))
    # All kills first, at the load the measurement saw (in shuffled order, so short and long
    # runs share the machine as they did then); the resumes after, more at a time.
    order = list(enumerate(delays))
    rng.shuffle(order)
    with ThreadPoolExecutor(kind.workers) as pool:
        crashes = sorted(
            pool.map(lambda item: crash(emulator, root, kind, sources, *item), order),
            key=lambda c: c.index,
        )
    with ThreadPoolExecutor(RESUME_WORKERS) as pool:
        outcomes = list(pool.map(lambda c: resume_and_check(emulator, kind, c), crashes))
    print("  #  delay_s  process  after kill     → after resume")
    for outcome in outcomes:
        print(outcome.row())
    counts = Counter(outcome.crash.after_kill for outcome in outcomes)
    print(f"  states the kills left: {dict(counts)}")
    return outcomes


def assert_sweep(outcomes: list[Outcome], *, phases: int) -> None:
    problems = [
        f"kill {o.crash.index} at {o.crash.delay_s:.3f}s"
        f" ({o.crash.after_kill} → {o.after_resume}): {p}"
        for o in outcomes
        for p in o.problems
    ]
    assert not problems, "\n".join(problems)
    # The kills really did land in different phases of the job's life (not all before start).
    states = [o.crash.after_kill for o in outcomes]
    assert len(set(states)) >= phases, states


def test_every_provider_slice_has_its_stretch_and_a_sweep() -> None:
    assert set(STRETCH) == set(providers())
    assert {kind.provider for kind in SWEEPS} == set(providers())
    for kind in SWEEPS:
        stretched = {rule["match"] for rule in STRETCH[kind.provider]}
        assert f"POST {kind.post_path}" in stretched, f"{kind.id}: its paid POST is not held"


@pytest.mark.parametrize("kind", SWEEPS, ids=lambda k: k.id)
def test_a_run_killed_at_spread_moments_is_finished_by_resume_and_paid_once(
    emulators: Emulators, tmp_path: Path, kind: Kind, sources: Sources
) -> None:
    outcomes = kill_sweep(emulators(kind.provider), tmp_path, kind, sources)
    assert_sweep(outcomes, phases=kind.phases)


# -- kills aimed at one phase ----------------------------------------------------------------


def kill_in_state(
    emulator: EmulatorProcess,
    home: Path,
    kind: Kind,
    prompt: str,
    state: str,
    *,
    also: Callable[[], bool] = lambda: True,
) -> KilledRun:
    """Run the generation and SIGKILL it as soon as its job is in `state` and `also()` holds."""
    with watching(home, prompt) as watcher:
        run = run_and_kill(
            kind.args(prompt, {}),
            dave_env(home, emulator),
            kill_when=lambda: watcher.state() == state and also(),
        )
        assert run.killed, f"the run ended before it was caught in {state!r}: {run.stderr}"
        assert watcher.state() == state
    assert run.stdout == ""
    assert_clean_output(run.stderr, "the killed run")
    return run


@pytest.mark.parametrize("kind", [VIDEO, IMAGE_URL], ids=lambda k: k.name)
def test_a_kill_while_the_paid_post_is_on_the_wire_ends_unknown_and_only_resubmit_resends(
    emulator: EmulatorProcess, tmp_path: Path, kind: Kind
) -> None:
    home, seeds = prepare_home(tmp_path, kind, "on-the-wire")
    env = dave_env(home, emulator)
    prompt = f"on the wire {kind.name}: a kite over the dunes"
    # The emulator has logged the POST and holds it (for 3 s here): it is on the wire.
    hold = {"match": f"POST {kind.post_path}", "kind": "hang", "seconds": 3.0, "times": 0}
    with emulator.faults([hold]):
        kill_in_state(
            emulator, home, kind, prompt, "submitting",
            also=lambda: bool(emulator.posts(kind.post_path, prompt)),
        )  # fmt: skip

    resume = run_dave("jobs", "resume", "--json", env=env)
    assert resume.returncode == 1, resume.stderr
    assert_clean_output(resume.stderr, "resume")
    assert "--resubmit" in resume.stderr
    (job,) = jobs_in(home, exclude=seeds)
    assert (job.state.value, job.error_code, job.attempts) == ("unknown", "outcome_unknown", 1)
    assert [j["job"]["state"] for j in json.loads(resume.stdout)["jobs"]] == ["unknown"]
    assert assets_of(home, job.id) == []
    assert len(emulator.posts(kind.post_path, prompt)) == 1

    # A second resume leaves it alone: still one POST.
    again = run_dave("jobs", "resume", "--json", env=env)
    assert again.returncode == 0 and json.loads(again.stdout) == {"jobs": []}
    assert len(emulator.posts(kind.post_path, prompt)) == 1

    # Asked to, resume sends it again: a second provider job for this dave job, and only then.
    resubmit = run_dave("jobs", "resume", job.id, "--resubmit", "--json", env=env)
    assert resubmit.returncode == 0, resubmit.stderr
    (job,) = jobs_in(home, exclude=seeds)
    assert (job.state.value, job.attempts) == ("done", 2)
    assert len(emulator.posts(kind.post_path, prompt)) == 2
    (asset,) = assets_of(home, job.id)
    check_asset(home, asset, kind.medium)
    assert temp_files(home) == []


@dataclass
class MidDownload:
    home: Path
    seeds: set[str]
    prompt: str
    killed: KilledRun
    temps_at_kill: list[Path]
    resume: Any


@pytest.fixture(scope="module", params=[VIDEO, IMAGE_URL], ids=lambda k: k.name)
def mid_download(
    request: pytest.FixtureRequest,
    emulator: EmulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> MidDownload:
    """A run killed while its result file is half fetched, then `dave jobs resume`."""
    kind: Kind = request.param
    home, seeds = prepare_home(tmp_path_factory.mktemp("mid-download"), kind, "mid-download")
    prompt = f"mid download {kind.name}: a heron in the reeds"
    before = {r["path"] for r in emulator.requests()}

    def fetching() -> bool:
        # Its `.part` is open and the emulator has the GET for the file, whose body it sends
        # 1 kB every 0.1 s: the kill lands while the body streams. (The client buffers 64 kB
        # before writing, so the `.part` of these small files is still empty then.)
        return bool(temp_files(home)) and any(
            r["method"] == "GET" and r["path"].startswith("/files/") and r["path"] not in before
            for r in emulator.requests()
        )

    trickle = {"match": "GET /files/*", "kind": "slow", "seconds": 0.1, "chunk_size": 1024}
    with emulator.faults([{**trickle, "times": 0}]):
        killed = kill_in_state(emulator, home, kind, prompt, "downloading", also=fetching)
    temps_at_kill = temp_files(home)
    resume = run_dave("jobs", "resume", "--json", env=dave_env(home, emulator))
    return MidDownload(home, seeds, prompt, killed, temps_at_kill, resume)


def test_a_kill_mid_download_is_finished_by_resume_from_the_journaled_url_without_a_new_post(
    mid_download: MidDownload, emulator: EmulatorProcess
) -> None:
    home = mid_download.home
    assert mid_download.resume.returncode == 0, mid_download.resume.stderr
    assert_clean_output(mid_download.resume.stderr, "resume")
    (job,) = jobs_in(home, exclude=mid_download.seeds)
    assert (job.state.value, job.attempts) == ("done", 1)
    (asset,) = assets_of(home, job.id)
    medium = job.kind if job.kind == "video" else "image"
    check_asset(home, asset, medium)
    post_path = VIDEO_POST if job.kind == "video" else IMAGE_POST
    assert len(emulator.posts(post_path, mid_download.prompt)) == 1
    # The file the killed process was fetching was fetched again from the journaled URL.
    (url,) = [output["url"] for output in job.result["outputs"]]  # type: ignore[index]
    path = "/" + url.split("/", 3)[3]
    fetches = [r for r in emulator.requests() if r["method"] == "GET" and r["path"] == path]
    assert len(fetches) == 2
    assert {p.name for p in temp_files(home)} <= {p.name for p in mid_download.temps_at_kill}


def test_resume_removes_the_temp_file_a_killed_download_left(mid_download: MidDownload) -> None:
    assert mid_download.temps_at_kill, "the kill did not catch a download in progress"
    assert mid_download.resume.returncode == 0, mid_download.resume.stderr
    assert temp_files(mid_download.home) == []


def test_kept_media_files_are_not_executable(emulator: EmulatorProcess, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run_dave(*IMAGE_B64.args("a plain still life", {}), env=dave_env(home, emulator))
    assert result.returncode == 0, result.stderr
    (path,) = library_files(home)
    assert stat.S_IMODE(path.stat().st_mode) & 0o111 == 0, oct(path.stat().st_mode)


def unknown_image_job(home: Path, env: dict[str, str], prompt: str) -> str:
    """Journal an image job as a crash mid-submit leaves it, and let `resume` mark it unknown."""
    with Store.open(home) as store:
        request = {"kind": "image", "prompt": prompt, "model": "grok-imagine-image", "n": 1}
        job = store.jobs.create("xai", "image", "grok-imagine-image", request)
        store.jobs.transition(job.id, JobState.SUBMITTING, count_attempt=True)
    first = run_dave("jobs", "resume", "--json", env=env)
    assert first.returncode == 1 and "--resubmit" in first.stderr
    assert jobs_in(home)[0].state.value == "unknown"
    return job.id


def test_a_resubmitted_job_that_ends_done_carries_no_stale_error(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = dave_env(home, emulator)
    job_id = unknown_image_job(home, env, "a resubmitted lighthouse")

    resubmit = run_dave("jobs", "resume", job_id, "--resubmit", "--json", env=env)

    assert resubmit.returncode == 0, resubmit.stderr
    (job,) = jobs_in(home)
    assert (job.state.value, job.attempts) == ("done", 2)
    assert (job.error, job.error_code) == (None, None)


def test_resume_resubmit_without_an_id_does_not_silently_ignore_unknown_jobs(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = dave_env(home, emulator)
    unknown_image_job(home, env, "a resubmitted lantern")

    resubmit = run_dave("jobs", "resume", "--resubmit", "--json", env=env)

    (job,) = jobs_in(home)
    # It refuses to guess which job to pay for again: one error, and the job left as it was.
    assert resubmit.returncode == 1, (resubmit.stdout, job.state)
    assert "takes one job id" in json.loads(resubmit.stdout)["error"]["message"]
    assert job.state.value == "unknown"
