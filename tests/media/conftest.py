"""Real media files for the media tests: PNG, JPEG, WEBP and GIF through Pillow, MP4 and WAV
through PyAV, all tiny and written into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import pytest
from PIL import Image

MakeImage = Callable[..., Path]
MakeVideo = Callable[..., Path]


@pytest.fixture
def make_image(tmp_path: Path) -> MakeImage:
    """Write a real image; `make_image("a.jpg", size=(32, 24), fmt="JPEG")`."""

    def make(
        name: str = "source.png", *, size: tuple[int, int] = (32, 24), fmt: str = "PNG"
    ) -> Path:
        path = tmp_path / name
        Image.new("RGB", size, (200, 40, 90)).save(path, format=fmt)
        return path

    return make


@pytest.fixture
def png(make_image: MakeImage) -> Path:
    return make_image("source.png")


@pytest.fixture
def jpeg(make_image: MakeImage) -> Path:
    return make_image("photo.jpg", size=(40, 30), fmt="JPEG")


@pytest.fixture
def make_mp4(tmp_path: Path) -> MakeVideo:
    """Write a real H.264 MP4 of `seconds` length at 4 frames a second (a few kB)."""

    def make(seconds: float = 2, name: str | None = None, size: tuple[int, int] = (64, 48)) -> Path:
        path = tmp_path / (name or f"clip-{seconds:g}s.mp4")
        fps = 4
        with av.open(str(path), "w") as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            for i in range(round(seconds * fps)):
                image = Image.new("RGB", size, (i * 30 % 255, 80, 120))
                for packet in stream.encode(av.VideoFrame.from_image(image)):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return path

    return make


@pytest.fixture
def mp4(make_mp4: MakeVideo) -> Path:
    return make_mp4(2)


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    """One second of silence as 16-bit PCM WAV."""
    path = tmp_path / "sound.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        stream.layout = "mono"
        frame = av.AudioFrame(format="s16", layout="mono", samples=8000)
        frame.planes[0].update(bytes(16000))
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
