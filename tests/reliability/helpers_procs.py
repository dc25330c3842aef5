"""Helpers for tests that run dave and the emulator as separate processes: start the emulator
with a config file, run `python -m dave` in a private DAVE_HOME, kill it, and read what is left
(journal rows, library files, temp files, the emulator's request log) afterwards.

Not fixtures: the test modules build their fixtures from these.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dave.media.capabilities import offline_prefix, providers
from dave.store import Asset, Job, JobState, Store

TEST_KEY = "xai-test-key-0123456789"
# What a dave process must never print, whatever happened to it.
FORBIDDEN_OUTPUT = ("database is locked", "Traceback (most recent call last)")
VIDEO_MODEL = "grok-imagine-video"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """`python -m dave emulator serve --port P --faults CONFIG` in its own process."""

    def __init__(self, config: dict[str, Any], workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> EmulatorProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config_file = self.workdir / "emulator.json"
        config_file.write_text(json.dumps(self.config), encoding="utf-8")
        for _ in range(3):  # a free port can be taken between probing and binding: try again
            self.port = free_port()
            with (self.workdir / "emulator.log").open("ab") as log:
                self._proc = subprocess.Popen(
                    [
                        *dave_command("emulator", "serve", "--port", str(self.port)),
                        "--faults",
                        str(config_file),
                    ],
                    stdout=log,
                    stderr=log,
                )
            if self._wait_healthy():
                return self
            self.stop()
        raise RuntimeError(f"the emulator would not start: {self.workdir / 'emulator.log'}")

    def _wait_healthy(self) -> bool:
        assert self._proc is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/_emulator/health", timeout=1) as answer:
                    if answer.status == 200:
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    def requests(self) -> list[dict[str, Any]]:
        """The emulator's request log (`GET /_emulator/requests`), oldest first."""
        with urllib.request.urlopen(f"{self.url}/_emulator/requests", timeout=10) as answer:
            return list(json.loads(answer.read()))

    def clear_requests(self) -> None:
        request = urllib.request.Request(f"{self.url}/_emulator/requests", method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def set_faults(self, rules: list[dict[str, Any]]) -> None:
        """Replace the running emulator's fault rules (`PUT /_emulator/faults`)."""
        request = urllib.request.Request(
            f"{self.url}/_emulator/faults",
            data=json.dumps(rules).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    @contextlib.contextmanager
    def faults(self, rules: list[dict[str, Any]]) -> Iterator[None]:
        """These fault rules for the block, then the config file's again."""
        self.set_faults(rules)
        try:
            yield
        finally:
            self.set_faults(self.config.get("faults", []))

    def base_url(self, provider: str) -> str:
        """What a provider's BASE_URL should be for this emulator (`…/v1`, `…/minimax`, ...)."""
        return f"{self.url}{offline_prefix(provider)}"

    def posts(self, path: str, prompt: str) -> list[dict[str, Any]]:
        """POSTs to `path` that carry this prompt, in a JSON body (x.ai, MiniMax) or in a
        multipart text field (Stability)."""
        found = []
        for entry in self.requests():
            if entry["method"] != "POST" or entry["path"] != path:
                continue
            body = entry["json"] if isinstance(entry["json"], dict) else None
            if body is None and isinstance(entry.get("form"), dict):
                body = entry["form"]["fields"]
            if body is not None and body.get("prompt") == prompt:
                found.append(entry)
        return found

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def dave_env(home: Path, emulator: EmulatorProcess | str) -> dict[str, str]:
    """The test's environment with DAVE_HOME, pointed at the emulator (not --offline): every
    provider at an emulator process, or x.ai at a base URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAVE_OFFLINE", "DAVE_DEBUG")}
    env["DAVE_HOME"] = str(home)
    if isinstance(emulator, str):
        env.update(XAI_BASE_URL=emulator, XAI_API_KEY=TEST_KEY)
        return env
    for provider in providers():
        env[f"{provider.upper()}_BASE_URL"] = emulator.base_url(provider)
        env[f"{provider.upper()}_API_KEY"] = TEST_KEY
    return env


def dave_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dave", *args]


def run_dave(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        dave_command(*args), capture_output=True, text=True, env=env, timeout=timeout
    )


@dataclass
class KilledRun:
    """A dave process that got SIGKILL `delay_s` after it started (unless it ended first)."""

    delay_s: float
    pid: int
    returncode: int
    stdout: str
    stderr: str
    elapsed_s: float

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


def run_and_kill(
    args: list[str],
    env: dict[str, str],
    *,
    delay_s: float | None = None,
    kill_when: Callable[[], bool] | None = None,
    timeout: float = 60,
) -> KilledRun:
    """Start `python -m dave ARGS`; SIGKILL it after `delay_s`, or as soon as `kill_when()` is
    true (checked every few milliseconds). Only this process is killed, by its own pid."""
    started = time.monotonic()
    proc = subprocess.Popen(
        dave_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        if kill_when is None:
            assert delay_s is not None
            try:
                out, err = proc.communicate(timeout=delay_s)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                out, err = proc.communicate(timeout=timeout)
        else:
            deadline = started + timeout
            while proc.poll() is None and not kill_when():
                if time.monotonic() > deadline:
                    raise AssertionError("the condition to kill the process never came")
                time.sleep(0.002)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    return KilledRun(
        delay_s=delay_s if delay_s is not None else time.monotonic() - started,
        pid=proc.pid,
        returncode=proc.returncode,
        stdout=out,
        stderr=err,
        elapsed_s=time.monotonic() - started,
    )


def assert_clean_output(text: str, who: str) -> None:
    for bad in FORBIDDEN_OUTPUT:
        assert bad not in text, f"{who} printed {bad!r}:\n{text}"


# -- reading a DAVE_HOME ---------------------------------------------------------------------


def seed_quick_polls(
    home: Path,
    provider: str = "xai",
    models: tuple[tuple[str, str], ...] = (("video", VIDEO_MODEL),),
) -> set[str]:
    """Journal history saying these (kind, model) jobs of `provider` finish at once (as
    tests/studio's `quick_polls` does), so the CLI's poll schedule polls every ~1 s instead of
    waiting ~13 s before its second poll on a fresh journal. The seeded jobs are `done` with no
    assets; returns their ids."""
    ids: set[str] = set()
    with Store.open(home) as store:
        for kind, model in models:
            for _ in range(3):
                job = store.jobs.create(provider, kind, model, {"kind": kind, "prompt": "seed"})
                for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                    store.jobs.transition(job.id, state)
                ids.add(job.id)
    return ids


def jobs_in(home: Path, *, exclude: frozenset[str] | set[str] = frozenset()) -> list[Job]:
    with Store.open(home) as store:
        return [job for job in store.jobs.list(limit=10_000) if job.id not in exclude]


def assets_in(home: Path) -> list[Asset]:
    with Store.open(home) as store:
        return store.assets.list(limit=10_000)


def assets_of(home: Path, job_id: str) -> list[Asset]:
    with Store.open(home) as store:
        return store.assets.for_job(job_id)


def temp_files(home: Path) -> list[Path]:
    """What is left in DAVE_HOME/media/.tmp."""
    temp_dir = home / "media" / ".tmp"
    return sorted(p for p in temp_dir.iterdir()) if temp_dir.is_dir() else []


def library_files(home: Path) -> list[Path]:
    """Committed files under DAVE_HOME/media (temp files left out)."""
    root = home / "media"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts)


def decode_media(path: Path, medium: str) -> int:
    """Decode every frame with PyAV (videos) or Pillow (images); returns frames decoded."""
    if medium == "video":
        import av

        with av.open(str(path)) as container:
            frames = sum(1 for _ in container.decode(video=0))
        assert frames > 0, f"{path}: no frames decoded"
        return frames
    from PIL import Image

    with Image.open(path) as image:
        image.load()
    return 1


def check_asset(home: Path, asset: Asset, medium: str) -> Path:
    """The asset's file exists, is named by its sha256 (ab/cd/<sha>.<ext>), holds exactly the
    bytes its row says, and decodes. Returns its path."""
    path = home / "media" / asset.path
    assert path.is_file(), f"asset {asset.id}: no file at {path}"
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert sha == asset.sha256, f"{path}: sha256 {sha} but the row says {asset.sha256}"
    assert path.stem == sha, f"{path}: the name is not the sha256 of the bytes ({sha})"
    assert asset.path == f"{sha[:2]}/{sha[2:4]}/{path.name}", asset.path
    assert len(data) == asset.bytes, f"{path}: {len(data)} bytes, the row says {asset.bytes}"
    decode_media(path, medium)
    return path


@dataclass
class JobWatcher:
    """Reads one job's state straight from dave.db while another process writes it (WAL lets a
    reader look without blocking the writer)."""

    home: Path
    prompt: str
    _conn: sqlite3.Connection | None = field(default=None, init=False)

    def state(self) -> str | None:
        if self._conn is None:
            if not (self.home / "dave.db").exists():
                return None  # the dave process has not created it yet
            self._conn = sqlite3.connect(self.home / "dave.db", timeout=5, isolation_level=None)
        try:
            row = self._conn.execute(
                "SELECT state FROM jobs WHERE json_extract(request_json, '$.prompt') = ?",
                (self.prompt,),
            ).fetchone()
        except sqlite3.OperationalError:  # the schema is not there yet
            return None
        return None if row is None else str(row[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@contextlib.contextmanager
def watching(home: Path, prompt: str) -> Iterator[JobWatcher]:
    watcher = JobWatcher(home, prompt)
    try:
        yield watcher
    finally:
        watcher.close()
