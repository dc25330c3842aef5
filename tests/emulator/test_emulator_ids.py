"""The emulator's ids take the shapes the providers document (a UUID `request_id`, a digit-string
`task_id`, a 64-hex Stability id), and its file URLs have short names: clients put them in file
names. Unknown ids get each provider's documented error."""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx2
from PIL import Image

from dave.emulator import EmulatorServer

from .conftest import API_KEY

AUTH = {"Authorization": f"Bearer {API_KEY}"}
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DIGITS = re.compile(r"^\d{15,19}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
# Well under the 255-byte limit on a file name, with room for a prefix a client adds.
SHORT_NAME = 100


def basename(url: str) -> str:
    return urlsplit(url).path.rpartition("/")[2]


def minimax_task(emulator: EmulatorServer, http: httpx2.Client) -> str:
    answer = http.post(
        f"{emulator.minimax_base_url}/v1/video_generation",
        json={"model": "MiniMax-Hailuo-2.3", "prompt": "a harbour at dusk " * 20},
        headers=AUTH,
    )
    return str(answer.json()["task_id"])


def query(emulator: EmulatorServer, http: httpx2.Client, task_id: str) -> dict[str, object]:
    answer = http.get(
        f"{emulator.minimax_base_url}/v1/query/video_generation",
        params={"task_id": task_id},
        headers=AUTH,
    )
    return dict(answer.json())


def test_an_xai_request_id_is_a_uuid_and_its_video_url_has_a_short_name(
    client: httpx2.Client, wait_for_video: Callable[..., httpx2.Response]
) -> None:
    long_prompt = "a lighthouse in a storm, waves breaking over the rocks " * 40
    ids = [
        client.post("/videos/generations", json={"prompt": long_prompt, "duration": 1}).json()[
            "request_id"
        ]
        for _ in range(2)
    ]
    done = wait_for_video(ids[0]).json()

    assert all(UUID4.match(request_id) for request_id in ids), ids
    assert ids[0] != ids[1]
    assert uuid.UUID(ids[0]).version == 4
    name = basename(done["video"]["url"])
    assert len(name) < SHORT_NAME and name.endswith(".mp4"), name


def test_xai_image_urls_have_short_names(client: httpx2.Client, http: httpx2.Client) -> None:
    body = client.post(
        "/images/generations",
        json={"model": "grok-imagine-image", "prompt": "a red kite " * 100, "n": 2},
    ).json()
    urls = [item["url"] for item in body["data"]]

    assert all(len(basename(url)) < SHORT_NAME for url in urls), urls
    assert len(set(urls)) == 2
    image = Image.open(io.BytesIO(http.get(urls[1]).content))
    assert image.format == "JPEG"


def test_a_minimax_task_id_is_a_digit_string_and_its_download_url_is_short(
    emulator: EmulatorServer, http: httpx2.Client
) -> None:
    task_id = minimax_task(emulator, http)
    deadline = time.monotonic() + 5
    while (status := query(emulator, http, task_id))["status"] != "Success":
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    retrieved = http.get(
        f"{emulator.minimax_base_url}/v1/files/retrieve",
        params={"file_id": status["file_id"]},
        headers=AUTH,
    ).json()
    url = retrieved["file"]["download_url"]

    assert DIGITS.match(task_id), task_id
    assert status["task_id"] == task_id
    assert DIGITS.match(str(status["file_id"]))
    assert len(basename(url)) < SHORT_NAME, url
    assert http.get(url).content[4:8] == b"ftyp"


def test_a_stability_generation_id_is_64_hex(emulator: EmulatorServer, http: httpx2.Client) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(picture, format="PNG")
    started = http.post(
        f"{emulator.stability_base_url}/v2beta/stable-image/upscale/creative",
        data={"prompt": "a square"},
        files={"image": ("a.png", picture.getvalue(), "image/png")},
        headers={**AUTH, "accept": "image/*"},
    )
    assert HEX64.match(started.json()["id"]), started.text


def test_an_unknown_request_id_is_an_xai_404(client: httpx2.Client) -> None:
    for request_id in (str(uuid.uuid4()), "not-an-id"):
        answer = client.get(f"/videos/{request_id}")
        assert answer.status_code == 404
        assert answer.json() == {"code": "404", "error": "No video job with this request_id"}


def test_an_unknown_task_id_is_a_minimax_base_resp_error(
    emulator: EmulatorServer, http: httpx2.Client
) -> None:
    body = query(emulator, http, "106916112212032")
    assert body["base_resp"] == {
        "status_code": 2013,
        "status_msg": "invalid params, task_id not found",
    }


def test_an_unknown_file_name_is_a_404(emulator: EmulatorServer, http: httpx2.Client) -> None:
    answer = http.get(f"{emulator.url}/files/{uuid.uuid4().hex}.jpeg")
    assert answer.status_code == 404
    assert answer.json() == {"code": "404", "error": "File not found or expired"}
