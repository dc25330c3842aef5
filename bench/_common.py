"""What the benchmark scripts share: the emulator in its own process, clean environments for dave,
statistics, and the one `RATIO` line format that tests/bench parses. Not a benchmark itself."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx2

if TYPE_CHECKING:
    from dave.emulator.tokens import VideoJob

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEST_KEY = "xai-bench-key-0123456789"
# Variables of the developer's shell that would change what dave does in a benchmark.
_DROPPED = ("DAVE_OFFLINE", "DAVE_HOME", "XAI_API_KEY", "XAI_BASE_URL", "DAVE_DEBUG")

# `RATIO <name> <value>x [goal <op> <goal>x <PASS|MISS>] | <what>`: a figure over a baseline
# measured in the same run. Every script prints at least one; tests/bench parses them.
RATIO_PATTERN = (
    r"^RATIO (?P<name>\S+) (?P<value>[0-9.]+)x"
    r"(?: goal (?P<op><=|>=) (?P<goal>[0-9.]+)x (?P<verdict>PASS|MISS))? \| (?P<what>.*)$"
)
# `GOAL <name> <value> <unit> goal <op> <goal> <PASS|MISS> | <what>`: an absolute goal.
GOAL_PATTERN = (
    r"^GOAL (?P<name>\S+) (?P<value>[0-9.]+) (?P<unit>\S+) goal (?P<op><=|>=) "
    r"(?P<goal>[0-9.]+) (?P<verdict>PASS|MISS) \| (?P<what>.*)$"
)


def parse_args(doc: str | None, *options: tuple[str, dict[str, Any]]) -> argparse.Namespace:
    """`--quick` and the script's own `(flag, add_argument keywords)` options."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run of a few seconds (figures mean little)"
    )
    for flag, keywords in options:
        parser.add_argument(flag, **keywords)
    return parser.parse_args()


def ratio(
    name: str, value: float, goal: float | None, what: str, *, higher_is_better: bool = False
) -> bool:
    """Print the RATIO line for one figure; True if it meets its goal (or has none)."""
    verdict = ""
    ok = True
    if goal is not None:
        ok = value >= goal if higher_is_better else value <= goal
        op = ">=" if higher_is_better else "<="
        verdict = f" goal {op} {goal:.3f}x {'PASS' if ok else 'MISS'}"
    print(f"RATIO {name} {value:.3f}x{verdict} | {what}")
    sys.stdout.flush()
    return ok


def goal(
    name: str, value: float, unit: str, target: float, what: str, *, higher_is_better: bool = False
) -> bool:
    """Print the GOAL line for a figure with an absolute goal; True if it meets it."""
    ok = value >= target if higher_is_better else value <= target
    op = ">=" if higher_is_better else "<="
    print(
        f"GOAL {name} {value:.3f} {unit} goal {op} {target:g} {'PASS' if ok else 'MISS'} | {what}"
    )
    sys.stdout.flush()
    return ok


def line(text: str = "") -> None:
    print(text)
    sys.stdout.flush()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0..1) percentile, interpolated between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(
    process: subprocess.Popen[bytes],
    answers: Callable[[], bool],
    what: str,
    seconds: float,
    pause: float,
    stop: Callable[[], None],
) -> None:
    """Returns once `answers()` is true; SystemExit if the child `process` exits, or (after
    `stop()`) if `seconds` pass first. A connection refused means: not yet."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            if answers():
                return
        except httpx2.TransportError:
            pass
        if time.monotonic() > deadline:
            stop()
            raise SystemExit(f"{what} did not start within {seconds:g} s")
        time.sleep(pause)


def dave_env(home: Path, base_url: str | None = None) -> dict[str, str]:
    """The environment for a dave child process: its own DAVE_HOME, the emulator as x.ai."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env["DAVE_HOME"] = str(home)
    if base_url is not None:
        env["XAI_BASE_URL"] = base_url
        env["XAI_API_KEY"] = TEST_KEY
    return env


def use_dave_env(home: Path, base_url: str | None = None) -> None:
    """Point this process's own dave (Studio, load_settings) at `home` and the emulator."""
    for name in _DROPPED:
        os.environ.pop(name, None)
    os.environ.update(dave_env(home, base_url))


def with_bytecode_cache(env: dict[str, str], cache: Path) -> dict[str, str]:
    """`env` with compiled bytecode written to and read from `cache`, as on a normal machine
    (this sandbox sets PYTHONDONTWRITEBYTECODE, so dave's own modules would compile every run)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def wall_times(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall seconds of `runs` runs of a command (stdout discarded), after one unmeasured run."""
    times = []
    for index in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-800:]!r}")
        if index:  # the first run warms the page cache and .pyc files
            times.append(elapsed)
    return times


class EmulatorProcess:
    """`dave emulator serve` in its own process (so it does not share dave's interpreter),
    configured from a JSON file: `with EmulatorProcess({"latency_s": 0.05}) as emulator:`."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.port = free_port()
        self._folder = tempfile.TemporaryDirectory(prefix="dave-bench-emulator-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def xai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def minimax_base_url(self) -> str:
        return f"{self.url}/minimax"

    @property
    def stability_base_url(self) -> str:
        return f"{self.url}/stability"

    @property
    def state_file(self) -> Path:
        """Where the emulator keeps its jobs (its own temporary folder, not a DAVE_HOME)."""
        return Path(self._folder.name) / "emulator.db"

    def video_job(self, request_id: str) -> VideoJob:
        """The x.ai video job the emulator keeps under `request_id`."""
        from dave.emulator.state import EmulatorState
        from dave.emulator.tokens import XAI_VIDEO, VideoJob

        job = EmulatorState(self.state_file).load(XAI_VIDEO, request_id, VideoJob)
        assert job is not None, request_id
        return job

    def start(self) -> EmulatorProcess:
        config = Path(self._folder.name) / "emulator.json"
        settings = {"state_file": str(self.state_file), **self.config}
        config.write_text(json.dumps(settings), encoding="utf-8")
        argv = [sys.executable, "-m", "dave", "emulator", "serve", "--port", str(self.port)]
        self._process = subprocess.Popen(
            [*argv, "--faults", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k not in _DROPPED},
        )
        health = f"{self.url}/_emulator/health"
        wait_until_serving(
            self._process,
            lambda: httpx2.get(health, timeout=1).status_code == 200,
            "the emulator",
            20,
            0.05,
            self.stop,
        )
        return self

    def requests(self) -> list[dict[str, Any]]:
        """The emulator's request log (every provider request it received)."""
        return httpx2.get(f"{self.url}/_emulator/requests", timeout=30).json()

    def cpu_seconds(self) -> float:
        """CPU time the emulator process has used so far (user + system, all its threads)."""
        assert self._process is not None
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def clear_requests(self) -> None:
        httpx2.delete(f"{self.url}/_emulator/requests", timeout=10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        self._folder.cleanup()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
