"""Fixtures for `dave serve`: the real server (uvicorn on a free loopback port, in a thread of
its own) over the `xai` loopback emulator, an HTTP client for it, and a few media to seed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from dave.core.settings import load_settings
from dave.emulator import EmulatorServer
from dave.server.serve import serve


@dataclass
class Served:
    """A running `dave serve`: its URL, and how to stop it."""

    url: str
    _loop: asyncio.AbstractEventLoop
    _task: asyncio.Task[None]
    _thread: threading.Thread
    errors: list[BaseException] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.url.split("//", 1)[1].rstrip("/")

    @property
    def ws(self) -> str:
        return "ws://" + self.host

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(20)


def start_server(workspace: Path | None = None, host: str = "127.0.0.1") -> Served:
    """Starts the server with the test's environment (keys, base URLs, DAVE_HOME, token)."""
    ready = threading.Event()
    box: dict[str, Any] = {}

    def main() -> None:
        def on_ready(url: str) -> None:
            box["url"] = url
            ready.set()

        async def run() -> None:
            box["loop"] = asyncio.get_running_loop()
            box["task"] = asyncio.current_task()
            await serve(load_settings(), host=host, port=0, workspace=workspace, on_ready=on_ready)

        try:
            # asyncio.run, as the command does: what is still pending at the end is cancelled.
            asyncio.run(run())
        except asyncio.CancelledError:
            pass
        except BaseException as error:
            box["error"] = error
            ready.set()

    thread = threading.Thread(target=main, name="dave-serve", daemon=True)
    thread.start()
    if not ready.wait(20) or "error" in box:
        raise RuntimeError(f"dave serve did not start: {box.get('error')!r}")
    return Served(box["url"], box["loop"], box["task"], thread)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def server(xai: EmulatorServer, workspace: Path) -> Iterator[Served]:
    """`dave serve` on a free port, its media and agents' chat on the loopback emulator."""
    served = start_server(workspace)
    yield served
    served.stop()


@pytest.fixture
def client(server: Served) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=30) as http:
        yield http


def wait_for(check: Callable[[], Any], timeout: float = 20, what: str = "it") -> Any:
    """Polls `check` until it returns something true; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def generate(client: httpx2.Client, **request: Any) -> dict[str, Any]:
    """POST /api/generate and wait for its job to end; the job's view with its assets."""
    answer = client.post("/api/generate", json=request)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]

    def finished() -> dict[str, Any] | None:
        shown = client.get(f"/api/jobs/{job_id}").json()
        return shown if shown["job"]["state"] in ("done", "failed", "unknown") else None

    shown: dict[str, Any] = wait_for(finished, what=f"job {job_id}")
    assert shown["job"]["state"] == "done", shown["job"]
    return shown


VIDEO_MODELS = ("grok-imagine-video", "grok-imagine-video-1.5")


@pytest.fixture
def quick_videos(dave_home: Path) -> None:
    """Journal history that says x.ai videos finish at once, so the poll schedule polls at its
    floor instead of waiting ~45 s first (the seeded jobs have no assets)."""
    from dave.store import JobState, Store

    with Store.open(dave_home) as store:
        for model in VIDEO_MODELS:
            for _ in range(3):
                job = store.jobs.create("xai", "video", model, {"kind": "video", "prompt": "seed"})
                for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                    store.jobs.transition(job.id, state)
