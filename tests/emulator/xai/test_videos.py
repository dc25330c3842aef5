"""x.ai video jobs as the emulator runs them: submit, poll, download, and the rules on each mode."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from PIL import Image

from dave.emulator import EmulatorConfig, EmulatorServer
from dave.emulator.makers import make_video

Probe = Callable[[bytes], dict[str, Any]]
WaitForVideo = Callable[..., httpx2.Response]


def submit(client: httpx2.Client, path: str = "/videos/generations", **fields: object) -> str:
    body = {"model": "grok-imagine-video", "prompt": "waves on a beach", **fields}
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"request_id"}
    return response.json()["request_id"]


def refused(client: httpx2.Client, path: str = "/videos/generations", **fields: object) -> str:
    body = {"model": "grok-imagine-video", "prompt": "waves on a beach", **fields}
    response = client.post(path, json=body)
    assert response.status_code in (400, 422), response.text
    assert response.json()["code"] == str(response.status_code)
    return response.json()["error"]


def png_data_uri(width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_a_video_job_is_pending_then_done_with_a_decodable_mp4(
    client: httpx2.Client, http: httpx2.Client, wait_for_video: WaitForVideo, probe: Probe
) -> None:
    request_id = submit(client, duration=3, aspect_ratio="16:9", resolution="480p")
    pending = client.get(f"/videos/{request_id}")
    assert pending.status_code == 202
    assert pending.json()["status"] == "pending"
    assert 0 <= pending.json()["progress"] < 100

    done = wait_for_video(request_id)
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "done"
    assert body["model"] == "grok-imagine-video"
    assert body["progress"] == 100
    assert body["video"]["duration"] == 3
    assert body["video"]["respect_moderation"] is True
    assert body["usage"] == {"cost_in_usd_ticks": 3 * 500_000_000}

    download = http.get(body["video"]["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    assert int(download.headers["content-length"]) == len(download.content)
    seen = probe(download.content)
    assert (seen["codec"], seen["pix_fmt"]) == ("h264", "yuv420p")
    assert (seen["width"], seen["height"]) == (848, 480)
    assert seen["duration"] == pytest.approx(3, abs=0.2)
    assert seen["frames"] == 3 * 8


@pytest.mark.parametrize(
    ("model", "resolution", "ratio", "size", "usd_per_s"),
    [
        ("grok-imagine-video", "720p", "9:16", (720, 1280), 0.07),
        ("grok-imagine-video-1.5", "480p", "1:1", (480, 480), 0.08),
        ("grok-imagine-video-1.5", "1080p", "16:9", (1920, 1080), 0.25),
    ],
)
def test_size_and_cost_follow_model_resolution_and_ratio(
    client: httpx2.Client,
    http: httpx2.Client,
    wait_for_video: WaitForVideo,
    probe: Probe,
    model: str,
    resolution: str,
    ratio: str,
    size: tuple[int, int],
    usd_per_s: float,
) -> None:
    request_id = submit(client, model=model, resolution=resolution, aspect_ratio=ratio, duration=1)
    body = wait_for_video(request_id).json()
    assert body["model"] == model
    assert body["usage"]["cost_in_usd_ticks"] == round(usd_per_s * 1e10)
    seen = probe(http.get(body["video"]["url"]).content)
    assert (seen["width"], seen["height"]) == size


def test_1080p_needs_the_1_5_model(client: httpx2.Client) -> None:
    assert "1080p" in refused(client, resolution="1080p")


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"duration": 0}, "duration"),
        ({"duration": 16}, "duration"),
        ({"duration": 5.5}, "duration"),
        ({"aspect_ratio": "2:1"}, "aspect_ratio"),
        ({"resolution": "4k"}, "resolution"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x" * 4097}, "4096"),
        ({"size": "848x480"}, "Argument not supported: size"),
        ({"n": 2}, "Argument not supported: n"),
        ({"last_frame": {"url": "https://example.com/a.png"}}, "last_frame"),
        ({"keyframes": []}, "keyframes"),
        ({"reference_audios": [{"voice_id": "eve"}]}, "reference_audios"),
    ],
)
def test_generation_fields_out_of_bounds_are_refused(
    client: httpx2.Client, fields: dict[str, object], words: str
) -> None:
    assert words in refused(client, **fields)


def test_an_unknown_video_model_is_404(client: httpx2.Client) -> None:
    response = client.post(
        "/videos/generations", json={"model": "grok-imagine-video-9", "prompt": "x"}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "404"


def test_image_to_video_takes_the_images_ratio(
    client: httpx2.Client, http: httpx2.Client, wait_for_video: WaitForVideo, probe: Probe
) -> None:
    request_id = submit(client, image={"url": png_data_uri(300, 400)}, duration=1)
    body = wait_for_video(request_id).json()
    assert body["status"] == "done"
    seen = probe(http.get(body["video"]["url"]).content)
    # 300x400 is 3:4, so the 480p video is 480 wide and 640 high.
    assert (seen["width"], seen["height"]) == (480, 640)


def test_reference_to_video_rules(client: httpx2.Client) -> None:
    refs = [{"url": f"https://example.com/{i}.png"} for i in range(2)]
    submit(client, reference_images=refs, duration=10)
    assert "10 seconds" in refused(client, reference_images=refs, duration=11)
    assert "1 to 7" in refused(client, reference_images=refs * 4)
    assert "combined" in refused(
        client, reference_images=refs, image={"url": "https://example.com/a.png"}
    )
    assert "1080p" in refused(
        client, model="grok-imagine-video-1.5", reference_images=refs, resolution="1080p"
    )
    assert "prompt" in refused(client, reference_images=refs, prompt="")


def test_1_5_takes_keyframes_with_spacing_rules(client: httpx2.Client) -> None:
    def frame(t: float) -> dict[str, object]:
        return {"image": {"url": "https://example.com/k.png"}, "timestamp_s": t}

    v15 = {"model": "grok-imagine-video-1.5", "duration": 4}
    submit(client, keyframes=[frame(1), frame(2)], **v15)
    submit(client, keyframes=[frame(1)], last_frame={"url": "https://a.example/z.png"}, **v15)
    assert "1/3" in refused(client, keyframes=[frame(1), frame(1.2)], **v15)
    assert "between 0 and 4" in refused(client, keyframes=[frame(4)], **v15)
    five = [frame(t) for t in (0.5, 1, 1.5, 2, 2.5)]
    assert "limit is 4" in refused(client, keyframes=five, **v15)
    submit(client, reference_audios=[{"voice_id": "eve"}], **v15)
    assert "1 to 3" in refused(client, reference_audios=[{"voice_id": "eve"}] * 4, **v15)


def test_a_video_edit_keeps_the_input_and_refuses_shape_fields(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    source = submit(client, duration=4, resolution="720p", aspect_ratio="4:3")
    source_url = wait_for_video(source).json()["video"]["url"]
    edit = {"video": {"url": source_url}, "prompt": "make it snow"}
    for field, value in (("duration", 4), ("aspect_ratio", "1:1"), ("resolution", "480p")):
        message = refused(client, "/videos/edits", **edit, **{field: value})
        assert message == f"Argument not supported: {field}"
    body = wait_for_video(submit(client, "/videos/edits", **edit)).json()
    assert body["video"]["duration"] == 4
    assert body["usage"]["cost_in_usd_ticks"] == round(4 * 0.07 * 1e10)
    assert "video" in refused(client, "/videos/edits", prompt="x")


def test_an_edit_refuses_an_input_longer_than_8_7_seconds(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    long_url = wait_for_video(submit(client, duration=9)).json()["video"]["url"]
    assert "8.7" in refused(client, "/videos/edits", video={"url": long_url})


def test_an_extension_returns_one_clip_of_input_plus_new_seconds(
    client: httpx2.Client, http: httpx2.Client, wait_for_video: WaitForVideo, probe: Probe
) -> None:
    source_url = wait_for_video(submit(client, duration=2)).json()["video"]["url"]
    request_id = submit(client, "/videos/extensions", video={"url": source_url}, duration=3)
    body = wait_for_video(request_id).json()
    assert body["video"]["duration"] == 5
    # The new seconds at $0.05 and the continued ones at $0.01 (xai.md §8).
    assert body["usage"]["cost_in_usd_ticks"] == 3 * 500_000_000 + 2 * 100_000_000
    assert probe(http.get(body["video"]["url"]).content)["duration"] == pytest.approx(5, abs=0.2)
    assert "2 and 10" in refused(
        client, "/videos/extensions", video={"url": source_url}, duration=11
    )
    shaped = refused(client, "/videos/extensions", video={"url": source_url}, aspect_ratio="1:1")
    assert shaped == "Argument not supported: aspect_ratio"


def test_polling_an_unknown_id_is_404(client: httpx2.Client) -> None:
    for request_id in ("nope", "4b2cd27e-0b0d-3dec-c31c-7572daf74bb3", "e30"):
        response = client.get(f"/videos/{request_id}")
        assert response.status_code == 404
        assert response.json()["code"] == "404"


def test_polling_needs_a_key(emulator: EmulatorServer, client: httpx2.Client) -> None:
    request_id = submit(client)
    assert httpx2.get(f"{emulator.xai_base_url}/videos/{request_id}").status_code == 401


@pytest.mark.parametrize(
    ("kind", "status", "check"),
    [
        ("job_failed", "failed", lambda body: body["error"]["code"] == "internal_error"),
        ("job_expired", "expired", lambda body: set(body) == {"status", "model"}),
        (
            "moderated",
            "done",
            lambda body: body["video"] == {"duration": 8, "respect_moderation": False},
        ),
    ],
)
def test_an_outcome_fault_at_submit_shows_once_the_job_is_ready(
    emulator: EmulatorServer,
    client: httpx2.Client,
    wait_for_video: WaitForVideo,
    kind: str,
    status: str,
    check: Callable[[dict[str, Any]], bool],
) -> None:
    emulator.set_faults([{"match": "POST /v1/videos/generations", "kind": kind}])
    faulted = submit(client)
    healthy = submit(client)
    assert client.get(f"/videos/{faulted}").status_code == 202
    answer = wait_for_video(faulted)
    assert answer.status_code == 200
    assert answer.json()["status"] == status
    assert check(answer.json())
    assert wait_for_video(healthy).json()["status"] == "done"
    assert [entry.fault for entry in emulator.log.posts("/v1/videos/generations")] == [kind, None]


def test_a_failed_fault_at_poll_time_fails_even_a_pending_job(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    request_id = submit(client)
    emulator.set_faults([{"match": "GET /v1/videos/*", "kind": "job_failed", "message": "boom"}])
    body = client.get(f"/videos/{request_id}").json()
    assert body["status"] == "failed"
    assert body["error"] == {"code": "internal_error", "message": "boom"}
    assert body["video"] == {"duration": 0, "respect_moderation": True}
    assert client.get(f"/videos/{request_id}").status_code == 202


def test_a_job_submitted_to_one_emulator_is_polled_and_downloaded_from_another(
    probe: Probe, tmp_path: Path
) -> None:
    state = tmp_path / "emulator.db"
    with EmulatorServer(EmulatorConfig(video_ready_s=0.2, state_file=state)) as first:
        response = httpx2.post(
            f"{first.xai_base_url}/videos/generations",
            json={"prompt": "a kept job", "duration": 2},
            headers={"Authorization": "Bearer k"},
        )
        request_id = response.json()["request_id"]
    second_config = EmulatorConfig(video_ready_s=60, state_file=state)
    with EmulatorServer(second_config) as second, httpx2.Client() as http:
        time.sleep(0.25)  # past the first emulator's ready time, far before the second's
        poll = http.get(
            f"{second.xai_base_url}/videos/{request_id}", headers={"Authorization": "Bearer k"}
        )
        assert poll.status_code == 200
        url = poll.json()["video"]["url"]
        assert url.startswith(second.url)
        assert probe(http.get(url).content)["duration"] == pytest.approx(2, abs=0.2)


def mp4_data_uri(width: int, height: int, seconds: float) -> str:
    clip = make_video("a local clip", width, height, seconds, 4)
    return "data:video/mp4;base64," + base64.b64encode(clip).decode()


def test_an_edit_of_a_data_uri_video_keeps_its_length_and_size(
    client: httpx2.Client, http: httpx2.Client, wait_for_video: WaitForVideo, probe: Probe
) -> None:
    request_id = submit(
        client, "/videos/edits", video={"url": mp4_data_uri(64, 48, 2)}, prompt="snow"
    )
    body = wait_for_video(request_id).json()
    assert body["video"]["duration"] == 2
    seen = probe(http.get(body["video"]["url"]).content)
    assert (seen["width"], seen["height"]) == (64, 48)
    assert seen["duration"] == pytest.approx(2, abs=0.2)


def test_an_extension_of_a_data_uri_video_adds_to_its_length(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    source = {"url": mp4_data_uri(96, 64, 2)}
    body = wait_for_video(submit(client, "/videos/extensions", video=source, duration=2)).json()
    assert body["video"]["duration"] == 4
    too_short = {"url": mp4_data_uri(96, 64, 1)}
    assert "2 to 15" in refused(client, "/videos/extensions", video=too_short)


def test_a_video_data_uri_that_is_not_a_video_is_refused(client: httpx2.Client) -> None:
    fake = "data:video/mp4;base64," + base64.b64encode(b"not an mp4 at all").decode()
    assert "readable video" in refused(client, "/videos/edits", video={"url": fake})
    assert "video.url" in refused(client, "/videos/edits", video={"url": png_data_uri(8, 8)})
