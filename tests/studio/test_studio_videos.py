"""The Studio making videos against the x.ai emulator on loopback: each mode's wire body, the
polling, the MP4 that lands in the library, and `wait=False` followed by `wait()`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dave import Studio
from dave.emulator import EmulatorServer

pytestmark = pytest.mark.usefixtures("quick_polls")

Probe = Callable[[Path], dict[str, Any]]


def _states(studio: Studio, job_id: str) -> list[str]:
    return [event.state.value for event in studio.jobs.events(job_id)]


async def test_text_to_video_polls_then_keeps_a_decodable_mp4(
    studio: Studio,
    xai: EmulatorServer,
    check_asset: Callable[..., Path],
    probe_video: Probe,
) -> None:
    result = await studio.video(
        "a paper boat drifting down a gutter", duration=2, aspect_ratio="9:16", resolution="480p"
    )

    (post,) = xai.log.posts()
    assert post.path == "/v1/videos/generations"
    assert post.json == {
        "model": "grok-imagine-video",
        "prompt": "a paper boat drifting down a gutter",
        "duration": 2,
        "aspect_ratio": "9:16",
        "resolution": "480p",
    }
    job = studio.jobs.get(result.job.id)
    assert job.state.value == "done"
    assert job.provider_job_id
    polls = xai.log.gets(f"/v1/videos/{job.provider_job_id}")
    assert len(polls) >= 2, "the job is pending for 0.3 s; the first poll cannot see it done"
    assert polls[0].status == 202
    assert polls[-1].status == 200
    assert len(xai.log.gets("/files/*")) == 1

    (asset,) = result.assets
    path = check_asset(asset, "mp4")
    seen = probe_video(path)
    assert seen["codec"] == "h264"
    # 9:16 at 480p: the short side is 480, the long one 480*16/9 rounded to a multiple of 16.
    assert (seen["width"], seen["height"]) == (480, 848)
    assert seen["duration"] == pytest.approx(2.0, abs=0.2)
    assert asset.mime == "video/mp4"
    assert asset.kind == "video"
    assert (asset.width, asset.height) == (480, 848)
    assert asset.duration_s == pytest.approx(2.0, abs=0.2)
    # 2 s at $0.05/s (480p, base model).
    assert job.cost_usd == pytest.approx(0.10)
    assert _states(studio, job.id) == ["created", "submitting", "submitted", "downloading", "done"]
    assert asset.prompt == "a paper boat drifting down a gutter"
    assert asset.params is not None and asset.params["duration"] == 2


async def test_image_to_video_sends_the_first_frame_as_image_url(
    studio: Studio,
    xai: EmulatorServer,
    png: Path,
    decode_data_uri: Callable[[str, str], bytes],
    probe_video: Probe,
    check_asset: Callable[..., Path],
) -> None:
    result = await studio.video("the shape starts to spin", image=str(png), duration=1)

    (post,) = xai.log.posts()
    assert post.path == "/v1/videos/generations"
    assert set(post.json) == {"model", "prompt", "duration", "image"}
    assert set(post.json["image"]) == {"url"}
    assert decode_data_uri(post.json["image"]["url"], "image/png") == png.read_bytes()
    (asset,) = result.assets
    seen = probe_video(check_asset(asset, "mp4"))
    # Unset aspect ratio: the video keeps the first frame's (64x48 is 4:3) at 480p.
    assert (seen["width"], seen["height"]) == (640, 480)
    assert seen["duration"] == pytest.approx(1.0, abs=0.2)


async def test_reference_to_video_sends_reference_images_in_order(
    studio: Studio,
    xai: EmulatorServer,
    png: Path,
    decode_data_uri: Callable[[str, str], bytes],
) -> None:
    url = "https://example.com/refs/hat.jpg"
    result = await studio.video(
        "<IMAGE_1> wearing <IMAGE_2> walks by", references=[str(png), url], duration=1
    )

    (post,) = xai.log.posts()
    assert "image" not in post.json
    refs = post.json["reference_images"]
    assert len(refs) == 2
    assert decode_data_uri(refs[0]["url"], "image/png") == png.read_bytes()
    assert refs[1] == {"url": url}
    assert result.job.state.value == "done"
    assert len(result.assets) == 1


async def test_video_15_takes_a_last_frame_and_1080p(
    studio: Studio,
    xai: EmulatorServer,
    png: Path,
    make_image: Callable[..., Path],
    decode_data_uri: Callable[[str, str], bytes],
    probe_video: Probe,
    check_asset: Callable[..., Path],
) -> None:
    last = make_image("last.jpg", size=(48, 48), fmt="JPEG", color=(10, 200, 10))
    result = await studio.video(
        "the red card turns green",
        model="grok-imagine-video-1.5",
        image=str(png),
        last_frame=str(last),
        resolution="1080p",
        aspect_ratio="16:9",
        duration=1,
    )

    (post,) = xai.log.posts()
    assert post.json["model"] == "grok-imagine-video-1.5"
    assert post.json["resolution"] == "1080p"
    assert decode_data_uri(post.json["last_frame"]["url"], "image/jpeg") == last.read_bytes()
    assert decode_data_uri(post.json["image"]["url"], "image/png") == png.read_bytes()
    (asset,) = result.assets
    seen = probe_video(check_asset(asset, "mp4"))
    assert (seen["width"], seen["height"]) == (1920, 1080)
    job = studio.jobs.get(result.job.id)
    assert job.model == "grok-imagine-video-1.5"
    # 1 s at $0.25/s (1080p on 1.5), and two stills in (first and last frame) at $0.01.
    assert job.cost_usd == pytest.approx(0.25 + 2 * 0.01)
    assert job.price == pytest.approx(job.cost_usd)


async def test_video_edit_posts_the_local_mp4_as_video_url(
    studio: Studio,
    xai: EmulatorServer,
    make_mp4: Callable[..., Path],
    decode_data_uri: Callable[[str, str], bytes],
    probe_video: Probe,
    check_asset: Callable[..., Path],
) -> None:
    source = make_mp4(2)
    result = await studio.video("make it snow", edit_video=str(source))

    (post,) = xai.log.posts()
    assert post.path == "/v1/videos/edits"
    assert set(post.json) == {"model", "prompt", "video"}
    assert decode_data_uri(post.json["video"]["url"], "video/mp4") == source.read_bytes()
    job = studio.jobs.get(result.job.id)
    assert job.state.value == "done"
    assert xai.log.gets(f"/v1/videos/{job.provider_job_id}")
    (asset,) = result.assets
    seen = probe_video(check_asset(asset, "mp4"))
    assert seen["codec"] == "h264"
    assert seen["frames"] > 0


async def test_video_edit_of_a_local_clip_keeps_its_length_and_size(
    studio: Studio,
    xai: EmulatorServer,
    make_mp4: Callable[..., Path],
    probe_video: Probe,
    check_asset: Callable[..., Path],
) -> None:
    source = make_mp4(2, size=(64, 48))
    result = await studio.video("make it snow", edit_video=str(source))

    (asset,) = result.assets
    seen = probe_video(check_asset(asset, "mp4"))
    assert seen["duration"] == pytest.approx(2.0, abs=0.3)
    assert (seen["width"], seen["height"]) == (64, 48)


async def test_video_edit_of_an_earlier_result_url_passes_the_url_through(
    studio: Studio, xai: EmulatorServer, probe_video: Probe, check_asset: Callable[..., Path]
) -> None:
    first = await studio.video("a red ball rolls", duration=2, aspect_ratio="1:1")
    url = studio.jobs.get(first.job.id).result["outputs"][0]["url"]
    xai.log.clear()

    result = await studio.video("the ball turns blue", edit_video=url)

    (post,) = xai.log.posts()
    assert post.path == "/v1/videos/edits"
    assert post.json["video"] == {"url": url}
    (asset,) = result.assets
    seen = probe_video(check_asset(asset, "mp4"))
    # The emulator knows its own file: the edit keeps its 2 s and its square 480p frame.
    assert (seen["width"], seen["height"]) == (480, 480)
    assert seen["duration"] == pytest.approx(2.0, abs=0.2)


async def test_video_extension_posts_video_url_and_the_added_duration(
    studio: Studio,
    xai: EmulatorServer,
    make_mp4: Callable[..., Path],
    decode_data_uri: Callable[[str, str], bytes],
    probe_video: Probe,
    check_asset: Callable[..., Path],
) -> None:
    source = make_mp4(2)
    result = await studio.video("and then it rains", extend_video=str(source), duration=2)

    (post,) = xai.log.posts()
    assert post.path == "/v1/videos/extensions"
    assert set(post.json) == {"model", "prompt", "video", "duration"}
    assert post.json["duration"] == 2
    assert decode_data_uri(post.json["video"]["url"], "video/mp4") == source.read_bytes()
    (asset,) = result.assets
    seen = probe_video(check_asset(asset, "mp4"))
    assert seen["frames"] > 0
    assert result.job.state.value == "done"


async def test_video_extension_of_a_local_clip_is_input_plus_added_seconds(
    studio: Studio,
    xai: EmulatorServer,
    make_mp4: Callable[..., Path],
    probe_video: Probe,
    check_asset: Callable[..., Path],
) -> None:
    source = make_mp4(2)
    result = await studio.video("and then it rains", extend_video=str(source), duration=2)

    (asset,) = result.assets
    assert probe_video(check_asset(asset, "mp4"))["duration"] == pytest.approx(4.0, abs=0.3)


async def test_video_extension_of_an_earlier_result_is_one_longer_clip(
    studio: Studio, xai: EmulatorServer, probe_video: Probe, check_asset: Callable[..., Path]
) -> None:
    first = await studio.video("a kite rises", duration=2)
    url = studio.jobs.get(first.job.id).result["outputs"][0]["url"]
    xai.log.clear()

    result = await studio.video("it flies away", extend_video=url, duration=3)

    (post,) = xai.log.posts()
    assert post.json == {
        "model": "grok-imagine-video",
        "prompt": "it flies away",
        "video": {"url": url},
        "duration": 3,
    }
    (asset,) = result.assets
    assert probe_video(check_asset(asset, "mp4"))["duration"] == pytest.approx(5.0, abs=0.2)
    # The 3 added seconds at the video price (480p, $0.05/s); the 2 s continued at $0.01/s.
    assert studio.jobs.get(result.job.id).cost_usd == pytest.approx(3 * 0.05 + 2 * 0.01)


async def test_no_wait_returns_a_submitted_job_and_wait_finishes_it(
    studio: Studio, xai: EmulatorServer, check_asset: Callable[..., Path], probe_video: Probe
) -> None:
    started = await studio.video("a slow sunrise", duration=1, wait=False)

    assert started.job.state.value == "submitted"
    assert started.assets == []
    assert started.job.provider_job_id
    assert studio.jobs.get(started.job.id).state.value == "submitted"
    assert len(xai.log.posts()) == 1
    assert xai.log.gets() == []

    finished = await studio.wait(started.job.id)

    assert finished.job.id == started.job.id
    assert finished.job.state.value == "done"
    (asset,) = finished.assets
    assert probe_video(check_asset(asset, "mp4"))["duration"] == pytest.approx(1.0, abs=0.2)
    assert len(xai.log.posts()) == 1, "waiting must never send the paid request again"
    assert xai.log.gets(f"/v1/videos/{started.job.provider_job_id}")


async def test_two_videos_run_concurrently_in_one_studio(
    studio: Studio, xai: EmulatorServer
) -> None:
    first, second = await asyncio.gather(
        studio.video("a red kite", duration=1), studio.video("a blue kite", duration=1)
    )

    assert first.job.id != second.job.id
    assert first.job.state.value == second.job.state.value == "done"
    assert first.assets[0].sha256 != second.assets[0].sha256
    assert len(xai.log.posts("/v1/videos/generations")) == 2


async def test_the_studio_reports_states_progress_and_downloads_to_its_listener(
    xai: EmulatorServer,
) -> None:
    from dave.media.events import StudioEvent

    events: list[StudioEvent] = []
    # A second Studio on the same DAVE_HOME: it sees the history `quick_polls` journaled.
    async with Studio(poll_floor_s=0.1, on_event=events.append) as studio:
        result = await studio.video("a comet crosses the sky", duration=1)

    mine = [event for event in events if event.job_id == result.job.id]
    states = [event.state for event in mine if event.kind == "state" and event.state]
    assert states == ["created", "submitting", "submitted", "downloading", "done"]
    progress = [event.progress for event in mine if event.kind == "progress"]
    assert progress, "a pending poll reports its progress"
    assert all(p is not None and 0 <= p < 100 for p in progress)
    polls = [event for event in mine if event.kind == "poll"]
    assert len(polls) >= len(progress), "every pending poll is told, changed or not"
    downloads = [event for event in mine if event.kind == "download"]
    assert [event.done_bytes for event in downloads] == [result.assets[0].bytes]
