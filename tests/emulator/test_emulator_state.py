"""The emulator keeps its jobs server-side, in a SQLite file when `state_file` is set: a job one
app (or process) accepted is polled and downloaded through another app on the same file."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorConfig, create_app
from dave.store.jobs import JobState

from ..conftest import run_dave
from .conftest import API_KEY

AUTH = {"Authorization": f"Bearer {API_KEY}"}
# MiniMax's words for a task not yet finished (x.ai answers those polls with 202).
PENDING_WORDS = ("Preparing", "Queueing", "Processing")


def app_client(config: EmulatorConfig) -> httpx2.AsyncClient:
    """A client of a new emulator app, in process, with its own state (per `config`)."""
    transport = httpx2.ASGITransport(app=create_app(config))
    return httpx2.AsyncClient(transport=transport, base_url="http://emulator", headers=AUTH)


@pytest.fixture
async def two_apps(tmp_path: Path) -> AsyncIterator[tuple[httpx2.AsyncClient, httpx2.AsyncClient]]:
    state = tmp_path / "emulator.db"
    async with (
        app_client(EmulatorConfig(video_ready_s=0.2, state_file=state)) as first,
        app_client(EmulatorConfig(video_ready_s=0.2, state_file=state)) as second,
    ):
        yield first, second


async def poll_until(
    client: httpx2.AsyncClient, path: str, params: dict[str, str] | None = None
) -> httpx2.Response:
    deadline = time.monotonic() + 10
    while True:
        answer = await client.get(path, params=params)
        body = answer.json()
        if answer.status_code != 202 and body.get("status") not in PENDING_WORDS:
            return answer
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.05)


async def test_an_xai_job_accepted_by_one_app_is_polled_and_downloaded_by_another(
    two_apps: tuple[httpx2.AsyncClient, httpx2.AsyncClient], tmp_path: Path
) -> None:
    first, second = two_apps
    submitted = await first.post(
        "/v1/videos/generations", json={"prompt": "a ferry", "duration": 2}
    )
    request_id = submitted.json()["request_id"]

    done = await poll_until(second, f"/v1/videos/{request_id}")
    video = await second.get(done.json()["video"]["url"])

    assert done.json()["status"] == "done"
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    with sqlite3.connect(tmp_path / "emulator.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        kind, value = db.execute(
            "SELECT kind, value FROM emulator_state WHERE key = ?", (request_id,)
        ).fetchone()
    assert kind == "xai.video"
    assert json.loads(value)["prompt"] == "a ferry"


async def test_a_minimax_task_and_its_file_cross_from_one_app_to_another(
    two_apps: tuple[httpx2.AsyncClient, httpx2.AsyncClient],
) -> None:
    first, second = two_apps
    submitted = await first.post(
        "/minimax/v1/video_generation", json={"model": "MiniMax-Hailuo-2.3", "prompt": "a kite"}
    )
    task_id = submitted.json()["task_id"]

    done = await poll_until(second, "/minimax/v1/query/video_generation", {"task_id": task_id})
    retrieved = await second.get(
        "/minimax/v1/files/retrieve", params={"file_id": done.json()["file_id"]}
    )
    download = await first.get(retrieved.json()["file"]["download_url"])

    assert done.json()["status"] == "Success"
    assert download.status_code == 200 and download.content[4:8] == b"ftyp"


async def test_an_image_url_made_by_one_app_is_served_and_read_as_input_by_another(
    two_apps: tuple[httpx2.AsyncClient, httpx2.AsyncClient],
) -> None:
    first, second = two_apps
    made = await first.post(
        "/v1/images/generations",
        json={"model": "grok-imagine-image", "prompt": "a tall tower", "aspect_ratio": "9:16"},
    )
    url = made.json()["data"][0]["url"]

    served = await second.get(url)
    # The second app knows the image's size from the kept spec: the edit keeps its ratio.
    edited = await second.post(
        "/v1/images/edits",
        json={"model": "grok-imagine-image", "prompt": "at night", "image": {"url": url}},
    )
    result = await second.get(edited.json()["data"][0]["url"])

    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    width, height = Image.open(io.BytesIO(result.content)).size
    assert width < height


async def test_without_a_state_file_each_app_keeps_its_own_jobs() -> None:
    async with (
        app_client(EmulatorConfig(video_ready_s=0)) as first,
        app_client(EmulatorConfig(video_ready_s=0)) as second,
    ):
        submitted = await first.post("/v1/videos/generations", json={"prompt": "x", "duration": 1})
        request_id = submitted.json()["request_id"]
        here = await first.get(f"/v1/videos/{request_id}")
        elsewhere = await second.get(f"/v1/videos/{request_id}")

    assert here.json()["status"] == "done"
    assert elsewhere.status_code == 404


def emulator_config(home: Path, **fields: object) -> dict[str, str]:
    """DAVE_EMULATOR_CONFIG for offline runs: the in-process emulator's timings."""
    home.mkdir(parents=True, exist_ok=True)
    path = home.parent / "emulator.json"
    path.write_text(json.dumps(fields), encoding="utf-8")
    return {"DAVE_EMULATOR_CONFIG": str(path)}


async def test_an_offline_video_submitted_by_one_studio_is_waited_for_by_another(
    dave_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in emulator_config(dave_home, video_ready_s=0.3).items():
        monkeypatch.setenv(name, value)
    async with Studio(offline=True) as studio:
        submitted = await studio.video("a lighthouse", duration=1, wait=False)
    assert submitted.job.state is JobState.SUBMITTED

    async with Studio(offline=True) as studio:  # new drivers, new emulator apps
        result = await studio.wait(submitted.job.id)

    assert result.job.state is JobState.DONE
    assert result.job.provider_job_id == submitted.job.provider_job_id
    assert [asset.kind for asset in result.assets] == ["video"]
    assert (dave_home / "media" / result.assets[0].path).read_bytes()[4:8] == b"ftyp"
    assert (dave_home / "emulator.db").is_file()


def test_an_offline_video_submitted_by_one_process_is_waited_for_by_another(
    dave_home: Path,
) -> None:
    env = emulator_config(dave_home, video_ready_s=0.5)
    submitted = run_dave("video", "a quay", "--offline", "--no-wait", "--json", env=env)
    assert submitted.returncode == 0, submitted.stderr
    job = json.loads(submitted.stdout)["job"]

    waited = run_dave("jobs", "wait", job["id"], "--offline", "--json", env=env)

    assert waited.returncode == 0, waited.stderr
    result = json.loads(waited.stdout)
    assert result["job"]["state"] == "done"
    assert result["job"]["provider_job_id"] == job["provider_job_id"]
    assert Path(result["assets"][0]["path"]).read_bytes()[4:8] == b"ftyp"
