"""The Stability emulator on its own, spoken to with raw httpx2: as strict as the document is
certain (multipart only, known fields, enums, ranges, image limits, body size, accept, keys),
with Stability's error body, both answer shapes and stateless 64-hex generation ids."""

from __future__ import annotations

import asyncio
import base64
import io
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest
from PIL import Image

from dave.emulator import EmulatorServer
from dave.emulator.makers import make_audio
from tests.conftest import TEST_KEY

CORE = "/v2beta/stable-image/generate/core"
AUTH = {"authorization": f"Bearer {TEST_KEY}"}
NO_FILE = {"none": ("none", b"")}


def png(size: tuple[int, int] = (64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
async def http(stability: EmulatorServer) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=stability.stability_base_url, timeout=30) as client:
        yield client


Post = Callable[..., Any]


@pytest.fixture
def post(http: httpx2.AsyncClient) -> Post:
    """POST a multipart body with the test key; `files` default to the dummy part."""

    async def send(
        path: str,
        data: dict[str, str],
        files: dict[str, Any] | None = None,
        accept: str = "image/*",
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        sent = {**AUTH, "accept": accept, **(headers or {})}
        return await http.post(path, data=data, files=files or NO_FILE, headers=sent)

    return send


def assert_error(response: httpx2.Response, status: int, name: str, field: str) -> None:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"id", "name", "errors"}
    assert body["name"] == name
    assert any(error.startswith(field) for error in body["errors"]), body["errors"]


async def test_bytes_answer_carries_finish_reason_and_seed_headers(post: Post) -> None:
    response = await post(CORE, {"prompt": "a fox", "seed": "5", "aspect_ratio": "16:9"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert (response.headers["finish-reason"], response.headers["seed"]) == ("SUCCESS", "5")
    width, height = Image.open(io.BytesIO(response.content)).size
    assert width > height


async def test_json_answer_names_the_media_type(post: Post) -> None:
    response = await post(
        CORE, {"prompt": "a fox", "output_format": "jpeg"}, accept="application/json"
    )

    assert response.headers["content-type"] == "application/json; type=image/jpeg"
    assert "finish-reason" not in response.headers
    body = response.json()
    assert body["finish_reason"] == "SUCCESS" and isinstance(body["seed"], int)
    assert Image.open(io.BytesIO(base64.b64decode(body["image"]))).format == "JPEG"


async def test_a_body_that_is_not_multipart_is_refused(http: httpx2.AsyncClient) -> None:
    empty = await http.post(CORE, headers=AUTH)
    as_json = await http.post(CORE, json={"prompt": "a fox"}, headers=AUTH)

    assert_error(empty, 400, "bad_request", "content-type: required")
    assert_error(as_json, 400, "bad_request", "content-type")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": "a fox", "width": "512"}, "width"),
        ({}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "a fox", "aspect_ratio": "4:3"}, "aspect_ratio"),
        ({"prompt": "a fox", "seed": "4294967295"}, "seed"),
        ({"prompt": "a fox", "seed": "1.5"}, "seed"),
        ({"prompt": "a fox", "style_preset": "none"}, "style_preset"),
        ({"prompt": "a fox", "output_format": "gif"}, "output_format"),
    ],
)
async def test_fields_are_checked(post: Post, fields: dict[str, str], field: str) -> None:
    assert_error(await post(CORE, fields), 400, "bad_request", field)


async def test_image_files_must_decode_and_fit_the_route(post: Post) -> None:
    erase = "/v2beta/stable-image/edit/erase"
    garbage = await post(erase, {}, {"image": ("a.png", b"not an image", "image/png")})
    small = await post(erase, {}, {"image": ("a.png", png((40, 40)), "image/png")})
    wide = await post(
        "/v2beta/stable-image/edit/outpaint",
        {"left": "10"},
        {"image": ("a.png", png((300, 100)), "image/png")},
    )
    as_text = await post(erase, {"image": "a.png"})

    assert_error(garbage, 400, "bad_request", "image: is not a readable image")
    assert_error(small, 400, "bad_request", "image: 40x40")
    assert_error(wide, 400, "bad_request", "image: 300x100")
    assert_error(as_text, 400, "bad_request", "image: must be a file")


async def test_cross_field_rules(post: Post) -> None:
    image = {"image": ("a.png", png(), "image/png")}
    ultra = await post("/v2beta/stable-image/generate/ultra", {"prompt": "x"}, image)
    outpaint = await post("/v2beta/stable-image/edit/outpaint", {"left": "0"}, image)
    relight = await post(
        "/v2beta/stable-image/edit/replace-background-and-relight",
        {"background_prompt": "x", "light_source_strength": "0.5"},
        {"subject_image": ("a.png", png(), "image/png")},
    )
    steps = await post(
        "/v2beta/audio/stable-audio-2/text-to-audio",
        {"prompt": "x", "model": "stable-audio-2.5", "steps": "20"},
        accept="audio/*",
    )
    language = await post(
        "/v2beta/audio/stable-audio-2/text-to-audio", {"prompt": "дождь по крыше"}, accept="audio/*"
    )

    assert_error(ultra, 400, "bad_request", "strength")
    assert_error(outpaint, 400, "bad_request", "left, right, up, down")
    assert_error(relight, 400, "bad_request", "light_source_strength")
    assert_error(steps, 400, "bad_request", "steps")
    assert_error(language, 422, "invalid_language", "prompt")


async def test_a_body_over_ten_mebibytes_is_too_large(post: Post) -> None:
    big = {"image": ("a.png", b"\0" * (10 * 1024 * 1024 + 1), "image/png")}

    assert_error(
        await post("/v2beta/stable-image/upscale/fast", {}, big),
        413,
        "payload_too_large",
        "payloads",
    )


async def test_unknown_accept_is_not_acceptable(post: Post) -> None:
    assert_error(
        await post(CORE, {"prompt": "x"}, accept="text/html"), 406, "not_acceptable", "accept"
    )
    assert_error(
        await post(CORE, {"prompt": "x"}, accept="audio/*"), 406, "not_acceptable", "accept"
    )


async def test_keys_are_checked(http: httpx2.AsyncClient, stability: EmulatorServer) -> None:
    missing = await http.post(CORE, data={"prompt": "x"}, files=NO_FILE)
    stability.config.api_keys = ["sk-other"]
    wrong = await http.post(CORE, data={"prompt": "x"}, files=NO_FILE, headers=AUTH)

    assert_error(missing, 401, "unauthorized", "authorization")
    assert_error(wrong, 401, "unauthorized", "authorization")


async def test_async_ids_are_64_hex_and_poll_from_202_to_200(
    post: Post, http: httpx2.AsyncClient, stability: EmulatorServer
) -> None:
    stability.config.video_ready_s = 0.2
    started = await post(
        "/v2beta/stable-image/upscale/creative",
        {"prompt": "a square"},
        {"image": ("a.png", png((80, 64)), "image/png")},
        accept="application/json",
    )
    job_id = started.json()["id"]

    first = await http.get(f"/v2beta/results/{job_id}", headers={**AUTH, "accept": "image/*"})
    for _ in range(200):  # the id says when it is ready; poll until then
        done = await http.get(
            f"/v2beta/results/{job_id}", headers={**AUTH, "accept": "application/json"}
        )
        if done.status_code != 202:
            break
        await asyncio.sleep(0.02)

    assert started.status_code == 200 and len(job_id) == 64 and int(job_id, 16) >= 0
    assert (first.status_code, first.json()) == (202, {"id": job_id, "status": "in-progress"})
    assert done.status_code == 200
    assert done.headers["content-type"] == "application/json; type=image/png"
    upscaled = Image.open(io.BytesIO(base64.b64decode(done.json()["image"])))
    assert upscaled.size == (320, 256)


async def test_stable_audio_3_answers_202_and_its_result_is_audio(
    post: Post, http: httpx2.AsyncClient, stability: EmulatorServer
) -> None:
    stability.config.video_ready_s = 0.0
    started = await post(
        "/v2beta/audio/stable-audio/audio-to-audio",
        {"prompt": "x", "duration": "2"},
        {"audio": ("a.wav", make_audio("ref", 6.5, "wav"), "audio/wav")},
        accept="application/json",
    )
    job_id = started.json()["id"]
    result = await http.get(
        f"/v2beta/audio/results/{job_id}", headers={**AUTH, "accept": "audio/*"}
    )
    on_image_route = await http.get(f"/v2beta/results/{job_id}", headers=AUTH)

    assert started.status_code == 202
    assert (result.status_code, result.headers["content-type"]) == (200, "audio/mpeg")
    assert result.headers["finish-reason"] == "SUCCESS"
    assert_error(on_image_route, 404, "generation_not_found", "id")


async def test_unknown_ids_and_other_keys_are_not_found(
    post: Post, http: httpx2.AsyncClient, stability: EmulatorServer
) -> None:
    started = await post(
        "/v2beta/stable-image/upscale/creative",
        {"prompt": "a square"},
        {"image": ("a.png", png(), "image/png")},
    )
    job_id = started.json()["id"]
    other_key = await http.get(
        f"/v2beta/results/{job_id}", headers={"authorization": "Bearer sk-someone-else"}
    )
    random_id = await http.get(f"/v2beta/results/{secrets.token_hex(32)}", headers=AUTH)

    assert_error(other_key, 404, "generation_not_found", "id")
    assert_error(random_id, 404, "generation_not_found", "id")


async def test_moderated_output_is_blurred_and_flagged(
    post: Post, stability: EmulatorServer
) -> None:
    stability.set_faults([{"match": f"POST /stability{CORE}", "kind": "moderated"}])

    response = await post(CORE, {"prompt": "x"})

    assert response.status_code == 200
    assert response.headers["finish-reason"] == "CONTENT_FILTERED"
    assert Image.open(io.BytesIO(response.content)).size == (1536, 1536)
