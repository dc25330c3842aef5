"""Fixtures for the Studio's tests: a Studio on the loopback emulator, real source media, and
helpers to read what ended up in DAVE_HOME."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorServer
from dave.store.jobs import JobState

VIDEO_MODELS = ("grok-imagine-video", "grok-imagine-video-1.5")


@pytest.fixture
async def studio(xai: EmulatorServer) -> AsyncIterator[Studio]:
    """A Studio on the `xai` emulator (key and base URL from the environment) that polls fast."""
    async with Studio(poll_floor_s=0.1) as opened:
        yield opened


@pytest.fixture
def quick_polls(studio: Studio) -> None:
    """Journal history that says video jobs finish at once, so the poll schedule (which waits
    ~45 s before the first re-poll on a fresh journal) polls at its 0.1 s floor.

    The seeded jobs are `done` and have no assets; tests look at their own job ids only."""
    for model in VIDEO_MODELS:
        for _ in range(3):
            job = studio.jobs.create("xai", "video", model, {"kind": "video", "prompt": "seed"})
            for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                studio.jobs.transition(job.id, state)


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """Write a real image into tmp_path: `make_image("a.png", size=(64, 48), fmt="PNG")`."""

    def make(
        name: str = "source.png",
        *,
        size: tuple[int, int] = (64, 48),
        fmt: str = "PNG",
        color: tuple[int, int, int] = (200, 40, 90),
    ) -> Path:
        path = tmp_path / name
        Image.new("RGB", size, color).save(path, format=fmt)
        return path

    return make


@pytest.fixture
def png(make_image: Callable[..., Path]) -> Path:
    return make_image("source.png")


@pytest.fixture
def make_mp4(tmp_path: Path) -> Callable[..., Path]:
    """Write a real H.264 MP4 of `seconds` at 4 frames a second (a few kB)."""

    def make(seconds: float = 2, size: tuple[int, int] = (64, 48), name: str | None = None) -> Path:
        path = tmp_path / (name or f"clip-{seconds:g}s.mp4")
        with av.open(str(path), "w") as container:
            stream = container.add_stream("libx264", rate=4)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            for i in range(round(seconds * 4)):
                picture = Image.new("RGB", size, (i * 30 % 255, 80, 120))
                frame = av.VideoFrame.from_image(picture).reformat(format="yuv420p")
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return path

    return make


def _probe_video(path: Path) -> dict[str, Any]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return {
            "codec": stream.codec_context.name,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "duration": container.duration / 1_000_000,
            "frames": frames,
        }


@pytest.fixture
def probe_video() -> Callable[[Path], dict[str, Any]]:
    """What PyAV sees in an MP4 file after decoding every frame."""
    return _probe_video


def _media_files(home: Path) -> list[Path]:
    root = home / "media"
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts)


@pytest.fixture
def media_files(dave_home: Path) -> Callable[[], list[Path]]:
    """The committed files under DAVE_HOME/media (temp files left out)."""
    return lambda: _media_files(dave_home)


@pytest.fixture
def check_asset(dave_home: Path) -> Callable[..., Path]:
    """Assert an asset's file is where its sha256 says and holds those bytes; returns its path."""

    def check(asset: Any, ext: str) -> Path:
        path = dave_home / "media" / asset.path
        assert path.is_file(), f"no file at {path}"
        sha = asset.sha256
        assert (
            path.relative_to(dave_home / "media").as_posix() == f"{sha[:2]}/{sha[2:4]}/{sha}.{ext}"
        )
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert len(data) == asset.bytes
        return path

    return check


def data_uri_bytes(uri: str, mime: str) -> bytes:
    prefix = f"data:{mime};base64,"
    assert uri.startswith(prefix), uri[:60]
    return base64.b64decode(uri[len(prefix) :], validate=True)


@pytest.fixture
def decode_data_uri() -> Callable[[str, str], bytes]:
    """The bytes of a `data:<mime>;base64,` URI, asserting its prefix."""
    return data_uri_bytes


def open_image(path: Path) -> Image.Image:
    image = Image.open(io.BytesIO(path.read_bytes()))
    image.load()
    return image


@pytest.fixture
def load_image() -> Callable[[Path], Image.Image]:
    """Open and fully decode an image file with Pillow."""
    return open_image
