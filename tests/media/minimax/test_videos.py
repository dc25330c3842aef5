"""Hailuo videos through the Studio on the loopback emulator: each mode's wire body, the
query → files/retrieve → download path, the MP4 kept, and the rows."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from dave import Studio
from dave.emulator import EmulatorServer
from tests.media.minimax.helpers import paths, probe


async def test_text_to_video_polls_retrieves_the_file_and_keeps_a_768p_mp4(
    studio: Studio, minimax: EmulatorServer
) -> None:
    result = await studio.video(
        "a fox runs [Truck left,Pan right] then [Push in]", provider="minimax"
    )

    (post,) = minimax.log.posts()
    assert post.path == "/minimax/v1/video_generation"
    assert post.json == {
        "model": "MiniMax-Hailuo-2.3",
        "prompt": "a fox runs [Truck left,Pan right] then [Push in]",
        "duration": 6,
        "resolution": "768P",
    }
    job = studio.jobs.get(result.job.id)
    assert job.state.value == "done"
    queries = minimax.log.gets("/minimax/v1/query/video_generation")
    assert len(queries) >= 2, "the task takes 0.3 s; the first query cannot see it done"
    assert all(q.query == f"task_id={job.provider_job_id}" for q in queries)
    (retrieve,) = minimax.log.gets("/minimax/v1/files/retrieve")
    details = result.to_dict()["job"]["details"]
    assert retrieve.query == f"file_id={details['file_id']}"
    assert "authorization" not in minimax.log.gets("/files/*")[0].headers
    seen = probe(paths(studio, result)[0])
    assert seen["codec"] == "h264"
    assert seen["size"] == (1366, 768)
    assert seen["duration"] == pytest.approx(6.0, abs=0.3)
    assert (details["video_width"], details["video_height"]) == (1366, 768)
    assert job.price == pytest.approx(0.25)
    assert job.model == "MiniMax-Hailuo-2.3"


async def test_image_to_video_sends_the_first_frame_and_follows_its_orientation(
    studio: Studio, minimax: EmulatorServer, picture: Callable[..., Path]
) -> None:
    frame = picture("frame.png", size=(360, 640))

    result = await studio.video(
        "", provider="minimax", image=frame, model="MiniMax-Hailuo-02", resolution="512p",
        duration=10,
    )  # fmt: skip

    (post,) = minimax.log.posts()
    assert "prompt" not in post.json
    assert post.json["resolution"] == "512P"
    assert post.json["duration"] == 10
    head, _, data = post.json["first_frame_image"].partition(",")
    assert head == "data:image/png;base64"
    assert base64.b64decode(data) == frame.read_bytes()
    seen = probe(paths(studio, result)[0])
    assert seen["size"] == (512, 912)
    assert seen["duration"] == pytest.approx(10.0, abs=0.3)
    assert studio.jobs.get(result.job.id).price is None  # no 512P price was found


async def test_a_last_frame_picks_hailuo_02_and_sends_both_frames(
    studio: Studio, minimax: EmulatorServer, picture: Callable[..., Path]
) -> None:
    first, last = picture("a.png"), picture("b.png")

    result = await studio.video("a door opens", provider="minimax", image=first, last_frame=last)

    (post,) = minimax.log.posts()
    assert post.json["model"] == "MiniMax-Hailuo-02"
    assert post.json["first_frame_image"].startswith("data:image/png;base64,")
    assert post.json["last_frame_image"].startswith("data:image/png;base64,")
    assert studio.jobs.get(result.job.id).model == "MiniMax-Hailuo-02"


async def test_a_subject_picks_s2v_01_and_sends_an_image_list(
    studio: Studio, minimax: EmulatorServer, picture: Callable[..., Path]
) -> None:
    face = picture("face.png", size=(400, 400))

    result = await studio.video("she waves at the camera", provider="minimax", subject=face)

    (post,) = minimax.log.posts()
    assert post.json["model"] == "S2V-01"
    (reference,) = post.json["subject_reference"]
    assert reference["type"] == "character"
    assert len(reference["image"]) == 1 and reference["image"][0].startswith("data:image/png")
    assert post.json["resolution"] == "720P"
    assert probe(paths(studio, result)[0])["size"] == (1280, 720)


async def test_wait_false_returns_a_submitted_job_that_wait_finishes(
    studio: Studio, minimax: EmulatorServer
) -> None:
    early = await studio.video("a slow sunrise", provider="minimax", wait=False)
    assert early.job.state.value == "submitted"
    assert minimax.log.gets("/minimax/v1/query/*") == []

    done = await studio.wait(early.job.id)

    assert done.job.state.value == "done"
    assert len(done.assets) == 1
