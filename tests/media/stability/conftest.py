"""Fixtures for Stability's tests: a Studio on the loopback emulator that polls fast, real
source images and audio, what the emulator parsed from each multipart body, and how to read the
files and rows a job left."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorServer
from dave.emulator.makers import make_audio
from dave.store.jobs import JobState
from tests.conftest import sent_forms

#: Async routes whose polls should start at once (see `studio`).
ASYNC_MODELS = (
    ("upscale", "upscale-creative"),
    ("edit", "replace-background-and-relight"),
    ("music", "stable-audio-3"),
)


@pytest.fixture
async def studio(stability: EmulatorServer) -> AsyncIterator[Studio]:
    """A Studio on the Stability emulator whose journal says async jobs finish at once, so
    polls run at the 0.05 s floor instead of waiting out the 30 s default first.

    The seeded jobs are `done` and have no assets; tests look at their own jobs only."""
    async with Studio(poll_floor_s=0.05) as opened:
        for kind, model in ASYNC_MODELS:
            for _ in range(3):
                job = opened.jobs.create("stability", kind, model, {"kind": kind, "prompt": "x"})
                for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                    opened.jobs.transition(job.id, state)
        yield opened


@pytest.fixture
def forms(stability: EmulatorServer) -> Callable[[], list[dict[str, Any]]]:
    """The multipart bodies the emulator parsed during this test: path, fields, files
    (name → (file name, content type, bytes)) and headers."""
    return lambda: sent_forms(stability)


@pytest.fixture
def picture(tmp_path: Path) -> Callable[..., Path]:
    """Write a real image: `picture(size=(64, 64), fmt="PNG", mode="RGB")`."""
    count = 0

    def make(size: tuple[int, int] = (64, 64), fmt: str = "PNG", mode: str = "RGB") -> Path:
        nonlocal count
        count += 1
        path = tmp_path / f"picture-{count}.{fmt.lower()}"
        color: Any = (200, 40, 90, 255)[: len(mode)] if mode != "L" else 255
        Image.new(mode, size, color).save(path, format=fmt)
        return path

    return make


@pytest.fixture
def tone(tmp_path: Path) -> Callable[..., Path]:
    """Write a real MP3 (or WAV) of `seconds`."""

    def make(seconds: float = 6.5, fmt: str = "mp3") -> Path:
        path = tmp_path / f"tone-{seconds:g}.{fmt}"
        path.write_bytes(make_audio("reference tone", seconds, fmt))
        return path

    return make


def image_of(path: Path) -> Image.Image:
    picture = Image.open(io.BytesIO(path.read_bytes()))
    picture.load()
    return picture


def seconds_of(path: Path) -> float:
    with av.open(str(path)) as container:
        return (container.duration or 0) / av.time_base
