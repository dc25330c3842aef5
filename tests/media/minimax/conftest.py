"""Fixtures for the MiniMax tests: a Studio on the loopback emulator's /minimax prefix that
polls fast, real source media (frames, portraits, tracks) and readers for what lands on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorServer
from dave.emulator.makers import make_audio
from dave.store.jobs import JobState

VIDEO_MODELS = ("MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-02", "S2V-01")


@pytest.fixture
async def studio(minimax: EmulatorServer) -> AsyncIterator[Studio]:
    """A Studio pointed at the emulator's MiniMax routes, whose video polls start at once: the
    journal says such jobs finish instantly, so the schedule polls at its 0.1 s floor."""
    async with Studio(poll_floor_s=0.1) as opened:
        for model in VIDEO_MODELS:
            for _ in range(3):
                job = opened.jobs.create("minimax", "video", model, {"kind": "video"})
                for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                    opened.jobs.transition(job.id, state)
        yield opened


@pytest.fixture
def picture(tmp_path: Path) -> Callable[..., Path]:
    """Write a real image: `picture("frame.png", size=(640, 360))`."""

    def make(name: str = "frame.png", size: tuple[int, int] = (640, 360)) -> Path:
        path = tmp_path / name
        fmt = "JPEG" if name.endswith(".jpg") else "PNG"
        Image.new("RGB", size, (30, 120, 200)).save(path, format=fmt)
        return path

    return make


@pytest.fixture
def track(tmp_path: Path) -> Callable[..., Path]:
    """Write a real MP3 of `seconds` (a reference song for covers)."""

    def make(seconds: float = 8.0, name: str = "song.mp3") -> Path:
        path = tmp_path / name
        path.write_bytes(make_audio("a reference song", seconds, "mp3"))
        return path

    return make
