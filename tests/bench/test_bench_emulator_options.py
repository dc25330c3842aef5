"""The emulator options the benchmarks rely on: a spread of video ready times, and very large
videos that still verify (EmulatorConfig.video_ready_spread_s and video_bytes)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx2
import pytest
from pydantic import ValidationError

from dave.emulator import EmulatorConfig, EmulatorServer
from dave.emulator.tokens import XAI_VIDEO, VideoJob
from dave.media.verify import verify

AUTH = {"authorization": "Bearer xai-test-key"}


def _submit(client: httpx2.Client, base: str, prompt: str) -> str:
    answer = client.post(f"{base}/videos/generations", json={"prompt": prompt, "duration": 1})
    answer.raise_for_status()
    return str(answer.json()["request_id"])


def _pending_for(server: EmulatorServer, request_id: str) -> float:
    job = server.state.load(XAI_VIDEO, request_id, VideoJob)
    assert job is not None
    return job.ready - job.created


def test_video_ready_times_spread_over_the_range_and_follow_the_prompt() -> None:
    config = EmulatorConfig(video_ready_spread_s=(10.0, 60.0))
    with EmulatorServer(config) as server, httpx2.Client(headers=AUTH) as client:
        base = server.xai_base_url
        first = {
            p: _pending_for(server, _submit(client, base, p))
            for p in (f"job {i}" for i in range(40))
        }
        again = {p: _pending_for(server, _submit(client, base, p)) for p in first}

    assert all(10.0 - 0.002 <= s <= 60.0 + 0.002 for s in first.values()), first
    assert max(first.values()) - min(first.values()) > 25  # spread, not one value
    assert all(abs(first[p] - again[p]) < 0.005 for p in first)  # same prompt, same time


def test_without_a_spread_every_video_takes_video_ready_s() -> None:
    config = EmulatorConfig(video_ready_s=7)
    with EmulatorServer(config) as server, httpx2.Client(headers=AUTH) as client:
        times = [
            _pending_for(server, _submit(client, server.xai_base_url, f"job {i}")) for i in range(5)
        ]
    assert all(abs(t - 7) < 0.005 for t in times)


@pytest.mark.parametrize("spread", [(5.0, 1.0), (-1.0, 2.0)])
def test_a_spread_must_be_an_ordered_range_of_seconds(spread: tuple[float, float]) -> None:
    with pytest.raises(ValidationError, match="video_ready_spread_s"):
        EmulatorConfig(video_ready_spread_s=spread)


def test_video_bytes_pads_a_video_to_that_size_and_it_still_verifies(tmp_path: Path) -> None:
    size = 24 * 1024 * 1024 + 13
    config = EmulatorConfig(video_ready_s=0, video_bytes=size)
    with EmulatorServer(config) as server, httpx2.Client(headers=AUTH) as client:
        request_id = _submit(client, server.xai_base_url, "a very large clip")
        status = client.get(f"{server.xai_base_url}/videos/{request_id}").json()
        path = tmp_path / "big.mp4"
        digest = hashlib.sha256()
        with client.stream("GET", status["video"]["url"]) as answer, path.open("wb") as file:
            assert answer.headers["content-length"] == str(size)
            for chunk in answer.iter_bytes():
                file.write(chunk)
                digest.update(chunk)
        again = client.get(status["video"]["url"]).content

    assert path.stat().st_size == size
    assert hashlib.sha256(again).hexdigest() == digest.hexdigest()  # the same file every time
    info = verify(path, "video", expected_bytes=size)
    assert (info.mime, info.duration_s) == ("video/mp4", 1.0)
    assert (info.width, info.height) == (848, 480)


def test_without_video_bytes_videos_are_served_as_made() -> None:
    config = EmulatorConfig(video_ready_s=0)
    with EmulatorServer(config) as server, httpx2.Client(headers=AUTH) as client:
        request_id = _submit(client, server.xai_base_url, "a small clip")
        status = client.get(f"{server.xai_base_url}/videos/{request_id}").json()
        answer = client.get(status["video"]["url"])
    assert len(answer.content) < 100_000
    assert answer.content[4:8] == b"ftyp"
