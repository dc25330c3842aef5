"""The MiniMax emulator on its own, over raw HTTP: the base_resp envelope on HTTP 200, the
key check, strict parameters where minimax.md is certain, task statuses, the string-vs-int64
file_id, and the /files host that takes no key."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from dave.emulator import EmulatorServer

KEY = {"Authorization": "Bearer any-key"}


def post(
    server: EmulatorServer, path: str, body: dict[str, Any], **headers: str
) -> httpx2.Response:
    return httpx2.post(server.minimax_base_url + path, json=body, headers={**KEY, **headers})


def get(server: EmulatorServer, path: str, **params: str) -> httpx2.Response:
    return httpx2.get(server.minimax_base_url + path, params=params, headers=KEY)


def code(response: httpx2.Response) -> tuple[int, str]:
    base = response.json()["base_resp"]
    return base["status_code"], base["status_msg"]


def test_no_key_is_1004_and_a_wrong_key_2049_both_on_http_200(minimax: EmulatorServer) -> None:
    url = minimax.minimax_base_url + "/v1/image_generation"
    bare = httpx2.post(url, json={"model": "image-01", "prompt": "a"})
    assert bare.status_code == 200
    assert code(bare)[0] == 1004
    assert bare.headers["trace-id"]

    minimax.config.api_keys = ["good"]
    wrong = post(minimax, "/v1/image_generation", {"model": "image-01", "prompt": "a"})
    assert wrong.status_code == 200
    assert code(wrong) == (2049, "invalid api key")


BAD_VIDEO = [
    ({"model": "MiniMax-Hailuo-2.3", "prompt": "a", "colour": "red"}, "colour"),
    ({"model": "Hailuo-9", "prompt": "a"}, "model"),
    ({"model": "MiniMax-Hailuo-2.3", "prompt": "a", "resolution": "768p"}, "resolution"),
    ({"model": "MiniMax-Hailuo-2.3", "prompt": "a", "resolution": "1080P", "duration": 10},
     "duration 10"),
    ({"model": "MiniMax-Hailuo-2.3", "prompt": "a", "resolution": "512P"}, "512P"),
    ({"model": "MiniMax-Hailuo-2.3-Fast", "prompt": "a"}, "t2v"),
    ({"model": "T2V-01", "prompt": "a", "duration": 10}, "duration 10"),
    ({"model": "MiniMax-Hailuo-2.3", "prompt": ""}, "prompt"),
    ({"model": "S2V-01", "prompt": "a",
      "subject_reference": [{"type": "character", "image_file": "https://e.com/a.png"}]},
     "image_file"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "named"), BAD_VIDEO)
def test_bad_video_parameters_answer_2013_naming_the_field(
    minimax: EmulatorServer, body: dict[str, Any], named: str
) -> None:
    response = post(minimax, "/v1/video_generation", body)

    assert response.status_code == 200
    status, message = code(response)
    assert status == 2013
    assert named in message
    assert "task_id" not in response.json()


def test_bad_image_parameters_answer_2013(minimax: EmulatorServer) -> None:
    for body in (
        {"model": "image-01-live", "prompt": "a", "aspect_ratio": "21:9"},
        {"model": "image-01", "prompt": "a", "n": 10},
        {"model": "image-01", "prompt": "a", "width": 1024},
        {"model": "image-01", "prompt": "a", "response_format": "b64_json"},
        {"model": "image-01-live", "prompt": "a", "style": {"style_type": "comic"}},
    ):
        assert code(post(minimax, "/v1/image_generation", body))[0] == 2013, body


def test_image_counts_come_as_strings_and_urls_need_no_key(minimax: EmulatorServer) -> None:
    body = post(minimax, "/v1/image_generation", {"model": "image-01", "prompt": "a", "n": 2})
    answer = body.json()
    assert answer["metadata"] == {"success_count": "2", "failed_count": "0"}
    assert answer["base_resp"] == {"status_code": 0, "status_msg": "success"}
    (first, _) = answer["data"]["image_urls"]
    image = httpx2.get(first)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"


def test_a_task_moves_through_its_statuses_and_its_file_id_is_a_string_then_an_int64(
    minimax: EmulatorServer,
) -> None:
    minimax.config.video_ready_s = 0.0
    created = post(minimax, "/v1/video_generation", {"model": "T2V-01", "prompt": "waves"})
    task_id = created.json()["task_id"]

    done = get(minimax, "/v1/query/video_generation", task_id=task_id).json()
    assert done["status"] == "Success"
    assert isinstance(done["file_id"], str) and done["file_id"].isdigit()
    assert (done["video_width"], done["video_height"]) == (1280, 720)
    found = get(minimax, "/v1/files/retrieve", file_id=done["file_id"]).json()
    file = found["file"]
    assert file["file_id"] == int(done["file_id"])
    assert file["purpose"] == "video_generation"
    video = httpx2.get(file["download_url"])
    assert video.headers["content-type"] == "video/mp4"
    assert len(video.content) == file["bytes"]

    minimax.config.video_ready_s = 60.0
    slow = post(minimax, "/v1/video_generation", {"model": "T2V-01", "prompt": "tide"})
    early = get(minimax, "/v1/query/video_generation", task_id=slow.json()["task_id"]).json()
    assert early["status"] == "Preparing"
    assert "file_id" not in early


def test_unknown_tasks_and_files_are_refused(minimax: EmulatorServer) -> None:
    assert code(get(minimax, "/v1/query/video_generation", task_id="nope"))[0] == 2013
    assert code(get(minimax, "/v1/files/retrieve", file_id="12345"))[0] == 2013


def test_music_answers_status_2_with_hex_and_milliseconds(minimax: EmulatorServer) -> None:
    body = {"model": "music-2.6", "prompt": "pop", "lyrics": "[Verse]\nla la"}
    answer = post(minimax, "/v1/music_generation", body).json()

    assert answer["data"]["status"] == 2
    assert bytes.fromhex(answer["data"]["audio"])[:3] in (b"ID3", b"\xff\xfb\x90")
    assert answer["extra_info"]["music_duration"] == 4000
    assert answer["analysis_info"] is None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/music_generation", {"model": "music-2.6", "prompt": "pop"}),
        ("/v1/music_generation", {"model": "music-2.6", "prompt": "pop", "lyrics": "la",
                                  "cover_feature_id": "f" * 32}),
        ("/v1/music_generation", {"model": "music-cover", "prompt": "a jazzy cover",
                                  "audio_url": "https://e.com/a.mp3",
                                  "cover_feature_id": "f" * 32}),
        ("/v1/music_generation", {"model": "music-2.6", "prompt": "pop", "lyrics": "la",
                                  "audio_setting": {"sample_rate": 48000}}),
        ("/v1/lyrics_generation", {"prompt": "a song"}),
        ("/v1/lyrics_generation", {"mode": "write_full_song", "lyrics": "la"}),
        ("/v1/music_cover_preprocess", {"model": "music-cover-free",
                                        "audio_url": "https://e.com/a.mp3"}),
        ("/v1/music_cover_preprocess", {"model": "music-cover", "audio_url": "https://e.com/a.mp3",
                                        "audio_base64": "AAAA"}),
    ],
)  # fmt: skip
def test_bad_music_and_lyrics_requests_answer_2013(
    minimax: EmulatorServer, path: str, body: dict[str, Any]
) -> None:
    response = post(minimax, path, body)
    assert response.status_code == 200
    assert code(response)[0] == 2013


def test_identical_tracks_get_identical_cover_feature_ids(minimax: EmulatorServer) -> None:
    body = {"model": "music-cover", "audio_url": "https://example.com/song.mp3"}
    first = post(minimax, "/v1/music_cover_preprocess", body).json()
    again = post(minimax, "/v1/music_cover_preprocess", body).json()

    assert first["cover_feature_id"] == again["cover_feature_id"]
    assert isinstance(first["structure_result"], str)
    assert "[Verse]" in first["formatted_lyrics"]
