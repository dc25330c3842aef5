"""x.ai video jobs sent with `storage_options` come back done with `video.file_output` beside the
temporary `video.url`, and `storage_error: null` (xai.md §5.2, §5.5)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx2
import pytest

WaitForVideo = Callable[..., httpx2.Response]


def submit(client: httpx2.Client, **fields: object) -> httpx2.Response:
    body = {"model": "grok-imagine-video", "prompt": "a pier", "duration": 1, **fields}
    return client.post("/videos/generations", json=body)


def test_storage_options_put_a_file_output_beside_the_url(
    client: httpx2.Client, http: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    options = {"filename": "pier.mp4", "expires_after": 86_400, "public_url": True}
    before = time.time()
    request_id = submit(client, storage_options=options).json()["request_id"]
    done = wait_for_video(request_id)
    again = client.get(f"/videos/{request_id}")

    video = done.json()["video"]
    output = video["file_output"]
    assert video["url"].endswith(".mp4") and video["storage_error"] is None
    assert set(output) == {
        "file_id", "filename", "expires_at", "public_url", "public_url_expires_at",
        "public_url_error",
    }  # fmt: skip
    assert output["filename"] == "pier.mp4"
    assert output["file_id"].startswith("file_")
    assert before + 86_400 - 5 < output["expires_at"] < time.time() + 86_400 + 5
    # A public link without its own lifetime lives as long as the stored file.
    assert output["public_url_expires_at"] == output["expires_at"]
    assert output["public_url_error"] is None
    assert output["public_url"] != video["url"]
    assert http.get(output["public_url"]).content[4:8] == b"ftyp"
    assert again.json()["video"] == video  # every poll answers the same file


def test_a_private_stored_file_has_no_public_url(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    request_id = submit(client, storage_options={"filename": "a.mp4"}).json()["request_id"]
    output = wait_for_video(request_id).json()["video"]["file_output"]
    assert (output["public_url"], output["public_url_expires_at"]) == (None, 0)
    assert output["expires_at"] == 0  # no expires_after: the stored file does not expire


def test_a_public_url_with_its_own_lifetime(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    options = {"filename": "a.mp4", "public_url": {"expires_after": 7200}}
    request_id = submit(client, storage_options=options).json()["request_id"]
    output = wait_for_video(request_id).json()["video"]["file_output"]
    assert output["public_url"] is not None
    assert output["public_url_expires_at"] == pytest.approx(time.time() + 7200, abs=10)


def test_without_storage_options_there_is_no_file_output(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    video = wait_for_video(submit(client).json()["request_id"]).json()["video"]
    assert "file_output" not in video and "storage_error" not in video


def test_edits_and_extensions_take_storage_options_too(
    client: httpx2.Client, wait_for_video: WaitForVideo
) -> None:
    source = wait_for_video(submit(client, duration=3).json()["request_id"]).json()["video"]["url"]
    for path in ("/videos/edits", "/videos/extensions"):
        body = {"prompt": "snow", "video": {"url": source}, "storage_options": {"filename": "b"}}
        request_id = client.post(path, json=body).json()["request_id"]
        assert wait_for_video(request_id).json()["video"]["file_output"]["filename"] == "b"


@pytest.mark.parametrize(
    ("options", "status", "message"),
    [
        ({}, 422, "Missing required field: storage_options.filename"),
        ({"filename": "a", "bucket": "x"}, 400, "Argument not supported: storage_options.bucket"),
        ({"filename": "a", "expires_after": 2_592_001}, 400, "storage_options.expires_after"),
        ({"filename": "a", "public_url": {"expires_after": 60}}, 400, "public_url.expires_after"),
        ({"filename": "a", "public_url": "yes"}, 422, "storage_options.public_url"),
    ],
)
def test_bad_storage_options_are_refused(
    client: httpx2.Client, options: dict[str, object], status: int, message: str
) -> None:
    answer = submit(client, storage_options=options)
    assert answer.status_code == status
    assert message in answer.json()["error"]
