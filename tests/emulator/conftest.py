"""Fixtures for the emulator's tests: a live emulator on loopback and clients for it."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator

import av
import httpx2
import pytest
from PIL import Image

from dave.emulator import EmulatorConfig, EmulatorServer

API_KEY = "test-key"


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[EmulatorServer]:
    """One emulator for the session (starting and stopping uvicorn costs ~0.2 s each time);
    its video jobs are ready after a fraction of a second."""
    with EmulatorServer(EmulatorConfig(video_ready_s=0.2)) as server:
        yield server


@pytest.fixture
def emulator(shared_emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """The shared emulator with no faults and an empty request log; settings a test changes
    are put back afterwards."""
    settings = shared_emulator.config.model_dump(exclude={"faults"})
    shared_emulator.set_faults([])
    shared_emulator.log.clear()
    yield shared_emulator
    shared_emulator.set_faults([])
    for name, value in settings.items():
        setattr(shared_emulator.config, name, value)


@pytest.fixture(scope="session")
def session_clients(
    shared_emulator: EmulatorServer,
) -> Iterator[tuple[httpx2.Client, httpx2.Client]]:
    # Made once: each new httpx2 client builds an SSL context, which costs ~50 ms.
    with (
        httpx2.Client(
            base_url=shared_emulator.xai_base_url,
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=10,
        ) as xai,
        httpx2.Client(timeout=10) as plain,
    ):
        yield xai, plain


@pytest.fixture
def client(
    emulator: EmulatorServer, session_clients: tuple[httpx2.Client, httpx2.Client]
) -> httpx2.Client:
    """An x.ai client (base URL `/v1`, a bearer key) for the reset shared emulator."""
    return session_clients[0]


@pytest.fixture
def http(
    emulator: EmulatorServer, session_clients: tuple[httpx2.Client, httpx2.Client]
) -> httpx2.Client:
    """A plain client with no key, as a downloader of result URLs would be."""
    return session_clients[1]


@pytest.fixture
def wait_for_video(client: httpx2.Client) -> Callable[..., httpx2.Response]:
    """Poll a video job until it leaves `pending`; returns the last response."""

    def wait(request_id: str, timeout_s: float = 5.0) -> httpx2.Response:
        deadline = time.monotonic() + timeout_s
        while True:
            response = client.get(f"/videos/{request_id}")
            if response.status_code != 202 or time.monotonic() > deadline:
                return response
            time.sleep(0.05)

    return wait


def probe_video(data: bytes) -> dict[str, object]:
    """What PyAV sees in MP4 bytes: codec, size, pixel format, duration, frame count."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return {
            "codec": stream.codec_context.name,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "pix_fmt": stream.codec_context.pix_fmt,
            "duration": container.duration / 1_000_000,
            "frames": frames,
        }


@pytest.fixture
def probe() -> Callable[[bytes], dict[str, object]]:
    return probe_video


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def open_image() -> Callable[[bytes], Image.Image]:
    return image_of
