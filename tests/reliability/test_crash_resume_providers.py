"""A `dave video --provider minimax` and a `dave upscale --mode creative` (Stability's async route)
killed (SIGKILL) at seeded moments lose nothing and pay once: `dave jobs resume` ends each job
`done` with a verified asset, or `unknown` with the paid POST sent at most once; no temp files.

The x.ai sweep's machinery (`test_crash_resume.py`: the emulator in its own process, one
DAVE_HOME per kill, `resume_and_check`, `assert_sweep`) with fewer kills (8 each). What differs
is where the paid request goes, how its prompt is found in the emulator's log (a multipart field
for Stability, see `ProviderEmulatorProcess`), and which jobs seed the poll history. The kill
phases are stretched as there: the paid POSTs hang 0.3 s, jobs take 1.5 s, and result bytes
(MiniMax's file, Stability's poll answer that is the image) arrive in small slow chunks.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.reliability.helpers_procs import (
    ProviderEmulatorProcess,
    assert_clean_output,
    assets_of,
    check_asset,
    dave_env,
    jobs_in,
    provider_env_vars,
    run_and_kill,
    seed_provider_polls,
    temp_files,
)
from tests.reliability.test_crash_resume import (
    RESUME_WORKERS,
    SEED,
    Crash,
    Kind,
    Outcome,
    assert_sweep,
    resume_and_check,
)

KILLS = 8
MINIMAX_POST = "/minimax/v1/video_generation"
UPSCALE_POST = "/stability/v2beta/stable-image/upscale/creative"

EMULATOR_CONFIG: dict[str, Any] = {
    "video_ready_s": 1.5,
    "faults": [
        {"match": f"POST {MINIMAX_POST}", "kind": "hang", "seconds": 0.3, "times": 0},
        {"match": f"POST {UPSCALE_POST}", "kind": "hang", "seconds": 0.3, "times": 0},
        {"match": "GET /files/*.mp4", "kind": "slow", "seconds": 0.05, "chunk_size": 4096},
        # Stability's finished poll answers with the image itself.
        {"match": "GET /stability/v2beta/results/*", "kind": "slow", "seconds": 0.05,
         "chunk_size": 4096},
    ],
}  # fmt: skip
for _rule in EMULATOR_CONFIG["faults"]:
    _rule["times"] = 0

pytestmark = pytest.mark.timeout(240)


@dataclass(frozen=True)
class ProviderKind(Kind):
    """A Kind whose jobs belong to another provider: its (kind, model) seeds the poll history."""

    provider: str = ""
    job_kind: str = ""
    model: str = ""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderEmulatorProcess]:
    workdir = tmp_path_factory.mktemp("emulator")
    with ProviderEmulatorProcess(EMULATOR_CONFIG, workdir) as process:
        yield process


@pytest.fixture
def pointed(emulator: ProviderEmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """MiniMax and Stability pointed at the emulator process: `dave_env` copies os.environ."""
    for name, value in provider_env_vars(emulator).items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def small_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upscale-source") / "small.png"
    Image.new("RGB", (64, 64), (200, 120, 40)).save(path, format="PNG")
    return path


def minimax_video() -> ProviderKind:
    return ProviderKind(
        "minimax-video", "video", MINIMAX_POST,
        lambda p: ["video", p, "--provider", "minimax", "--json"], True, 3,
        provider="minimax", job_kind="video", model="MiniMax-Hailuo-2.3",
    )  # fmt: skip


def stability_upscale(png: Path) -> ProviderKind:
    return ProviderKind(
        "stability-upscale", "image", UPSCALE_POST,
        lambda p: ["upscale", str(png), "--mode", "creative", "--prompt", p, "--json"], True, 3,
        provider="stability", job_kind="upscale", model="upscale-creative",
    )  # fmt: skip


def prepare_home(root: Path, kind: ProviderKind, label: str) -> tuple[Path, set[str]]:
    home = root / f"{kind.name}-{label}"
    return home, seed_provider_polls(home, kind.provider, kind.job_kind, kind.model)


def crash(
    emulator: ProviderEmulatorProcess, root: Path, kind: ProviderKind, index: int, delay_s: float
) -> Crash:
    home, seeds = prepare_home(root, kind, f"{index:02d}")
    prompt = f"crash {kind.name} {index:02d}: a lighthouse in a storm"
    run = run_and_kill(kind.args(prompt), dave_env(home, emulator), delay_s=delay_s)
    jobs = jobs_in(home, exclude=seeds)
    after_kill = ", ".join(job.state.value for job in jobs) or "(no job)"
    temps = [p.name for p in temp_files(home)]
    return Crash(index, delay_s, home, seeds, prompt, run, after_kill, temps)


def measure(emulator: ProviderEmulatorProcess, root: Path, kind: ProviderKind) -> float:
    """Seconds an unkilled run takes (median of `kind.workers` side by side); each must end
    `done` with one POST and one good asset."""

    def one(index: int) -> float:
        home, seeds = prepare_home(root, kind, f"measure-{index}")
        prompt = f"measure {kind.name} {index}: a lighthouse in a storm"
        run = run_and_kill(kind.args(prompt), dave_env(home, emulator), delay_s=60)
        assert run.returncode == 0, run.stderr
        assert_clean_output(run.stderr, "an unkilled run")
        (job,) = jobs_in(home, exclude=seeds)
        assert job.state.value == "done"
        (asset,) = assets_of(home, job.id)
        check_asset(home, asset, kind.medium)
        assert len(emulator.posts(kind.post_path, prompt)) == 1
        return run.elapsed_s

    with ThreadPoolExecutor(kind.workers) as pool:
        return statistics.median(pool.map(one, range(kind.workers)))


def kill_sweep(emulator: ProviderEmulatorProcess, root: Path, kind: ProviderKind) -> list[Outcome]:
    """One kill in each of KILLS equal slices of an unkilled run's life (seeded), then resume."""
    span = measure(emulator, root, kind)
    rng = random.Random(f"{SEED}-{kind.name}")
    delays = [round((i + rng.random()) * span / KILLS, 3) for i in range(KILLS)]
    print(f"\n{kind.name}: an unkilled run takes {span:.2f}s; seed {SEED}; kill delays (s):")
    print("  " + ", ".join(f"{d:.3f}" for d in delays))
    order = list(enumerate(delays))
    rng.shuffle(order)
    with ThreadPoolExecutor(kind.workers) as pool:
        crashes = sorted(
            pool.map(lambda item: crash(emulator, root, kind, *item), order),
            key=lambda c: c.index,
        )
    with ThreadPoolExecutor(RESUME_WORKERS) as pool:
        outcomes = list(pool.map(lambda c: resume_and_check(emulator, kind, c), crashes))
    for outcome in outcomes:
        print(outcome.row())
    print(f"  states the kills left: {dict(Counter(o.crash.after_kill for o in outcomes))}")
    return outcomes


@pytest.mark.usefixtures("pointed")
def test_a_minimax_video_killed_at_eight_moments_is_finished_by_resume_and_paid_once(
    emulator: ProviderEmulatorProcess, tmp_path: Path
) -> None:
    outcomes = kill_sweep(emulator, tmp_path, minimax_video())
    assert_sweep(outcomes, phases=3)


@pytest.mark.usefixtures("pointed")
def test_a_creative_upscale_killed_at_eight_moments_is_finished_by_resume_and_paid_once(
    emulator: ProviderEmulatorProcess, tmp_path: Path, small_png: Path
) -> None:
    outcomes = kill_sweep(emulator, tmp_path, stability_upscale(small_png))
    assert_sweep(outcomes, phases=3)
