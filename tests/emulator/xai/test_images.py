"""x.ai image generation and edits as the emulator answers them, over real loopback HTTP."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import httpx2
import pytest
from PIL import Image

from dave.emulator import EmulatorConfig, EmulatorServer

OpenImage = Callable[[bytes], Image.Image]

IMAGE_RATIOS = [
    "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3",
    "2:1", "1:2", "19.5:9", "9:19.5", "20:9", "9:20",
]  # fmt: skip


def generate(client: httpx2.Client, **fields: object) -> httpx2.Response:
    body = {"model": "grok-imagine-image", "prompt": "a lighthouse at dawn", **fields}
    return client.post("/images/generations", json=body)


def data_uri(width: int, height: int, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(out, format=fmt)
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(out.getvalue()).decode()}"


def test_a_request_without_a_bearer_key_is_refused_with_401(emulator: EmulatorServer) -> None:
    response = httpx2.post(
        f"{emulator.xai_base_url}/images/generations",
        json={"model": "grok-imagine-image", "prompt": "x"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "401"
    assert "API key" in response.json()["error"]


def test_a_key_not_in_the_configured_list_is_refused() -> None:
    with EmulatorServer(EmulatorConfig(api_keys=["good"])) as server:
        url = f"{server.xai_base_url}/images/generations"
        body = {"model": "grok-imagine-image", "prompt": "x"}
        bad = httpx2.post(url, json=body, headers={"Authorization": "Bearer wrong"})
        good = httpx2.post(url, json=body, headers={"Authorization": "Bearer good"})
    assert bad.status_code == 400
    assert bad.json() == {"code": "400", "error": "Incorrect API key provided"}
    assert good.status_code == 200


def test_a_body_that_is_not_json_gets_415(client: httpx2.Client) -> None:
    as_form = client.post("/images/generations", data={"prompt": "x"})
    empty = client.post("/images/generations", headers={"Content-Type": "application/json"})
    assert as_form.status_code == 415
    assert empty.status_code == 415
    assert as_form.json()["code"] == "415"


def test_size_is_refused_with_xais_flat_error_body(client: httpx2.Client) -> None:
    response = generate(client, size="1024x1024")
    assert response.status_code == 400
    assert response.json() == {"code": "400", "error": "Argument not supported: size"}


@pytest.mark.parametrize("field", ["style", "negative_prompt", "seed"])
def test_any_other_unknown_field_is_refused_by_name(client: httpx2.Client, field: str) -> None:
    response = generate(client, **{field: "x"})
    assert response.status_code == 400
    assert response.json() == {"code": "400", "error": f"Argument not supported: {field}"}


@pytest.mark.parametrize("n", [0, 11, -1])
def test_n_outside_1_to_10_is_refused(client: httpx2.Client, n: int) -> None:
    response = generate(client, n=n)
    assert response.status_code == 400
    assert "n must be between 1 and 10" in response.json()["error"]


def test_a_wrongly_typed_field_is_refused_with_422(client: httpx2.Client) -> None:
    assert generate(client, n="2").status_code == 422
    assert generate(client, prompt=7).status_code == 422
    no_prompt = client.post("/images/generations", json={"model": "grok-imagine-image"})
    assert no_prompt.status_code == 422


def test_an_empty_prompt_is_refused(client: httpx2.Client) -> None:
    response = generate(client, prompt="  ")
    assert response.status_code == 400
    assert "prompt" in response.json()["error"]


def test_an_unknown_model_is_404_with_an_error_body(client: httpx2.Client) -> None:
    response = generate(client, model="grok-imagine-video")
    assert response.status_code == 404
    assert response.json()["code"] == "404"
    assert "grok-imagine-video" in response.json()["error"]


@pytest.mark.parametrize("bad", ["5:4", "16x9", "square", ""])
def test_an_undocumented_aspect_ratio_is_refused(client: httpx2.Client, bad: str) -> None:
    assert generate(client, aspect_ratio=bad).status_code == 400


def test_quality_takes_only_low_medium_or_high(client: httpx2.Client) -> None:
    assert generate(client, quality="high").status_code == 200
    assert generate(client, quality="ultra").status_code == 400


@pytest.mark.parametrize("ratio", IMAGE_RATIOS)
def test_each_aspect_ratio_yields_a_1k_jpeg_of_that_shape(
    client: httpx2.Client, http: httpx2.Client, open_image: OpenImage, ratio: str
) -> None:
    response = generate(client, aspect_ratio=ratio)
    assert response.status_code == 200
    item = response.json()["data"][0]
    assert item["mime_type"] == "image/jpeg"
    download = http.get(item["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert int(download.headers["content-length"]) == len(download.content)
    image = open_image(download.content)
    assert image.format == "JPEG"
    left, right = (float(part) for part in ratio.split(":"))
    assert image.width / image.height == pytest.approx(left / right, rel=0.03)
    assert image.width * image.height == pytest.approx(1024 * 1024, rel=0.05)
    assert image.width % 16 == 0 and image.height % 16 == 0


def test_2k_holds_about_four_megapixels(
    client: httpx2.Client, http: httpx2.Client, open_image: OpenImage
) -> None:
    response = generate(client, aspect_ratio="16:9", resolution="2k")
    image = open_image(http.get(response.json()["data"][0]["url"]).content)
    assert image.width * image.height == pytest.approx(4 * 1024 * 1024, rel=0.05)
    assert image.width > image.height


def test_the_answer_has_usage_moderation_and_the_revised_prompt(client: httpx2.Client) -> None:
    body = generate(client, n=3).json()
    assert len(body["data"]) == 3
    assert body["usage"] == {"cost_in_usd_ticks": 3 * 200_000_000}
    for item in body["data"]:
        assert item["respect_moderation"] is True
        assert item["revised_prompt"] == "a lighthouse at dawn"
        assert item["url"].startswith("http://127.0.0.1:")
        assert "b64_json" not in item
    assert len({item["url"] for item in body["data"]}) == 3


def test_b64_json_returns_plain_base64_of_a_jpeg(
    client: httpx2.Client, open_image: OpenImage
) -> None:
    body = generate(client, response_format="b64_json", aspect_ratio="1:1").json()
    item = body["data"][0]
    assert "url" not in item
    assert not item["b64_json"].startswith("data:")
    image = open_image(base64.b64decode(item["b64_json"], validate=True))
    assert (image.format, image.size) == ("JPEG", (1024, 1024))


def test_a_moderated_fault_gives_no_image(emulator: EmulatorServer, client: httpx2.Client) -> None:
    emulator.set_faults([{"match": "POST /v1/images/generations", "kind": "moderated"}])
    item = generate(client).json()["data"][0]
    assert item["respect_moderation"] is False
    assert "url" not in item and "b64_json" not in item
    assert generate(client).json()["data"][0]["respect_moderation"] is True


def test_a_single_image_edit_keeps_the_inputs_aspect_ratio(
    client: httpx2.Client, http: httpx2.Client, open_image: OpenImage
) -> None:
    body = {
        "model": "grok-imagine-image",
        "prompt": "make it night",
        "image": {"url": data_uri(300, 600), "type": "image_url"},
        "aspect_ratio": "16:9",
    }
    response = client.post("/images/edits", json=body)
    assert response.status_code == 200, response.text
    image = open_image(http.get(response.json()["data"][0]["url"]).content)
    assert image.width / image.height == pytest.approx(0.5, rel=0.03)


def test_a_multi_image_edit_follows_the_first_input_unless_told(
    client: httpx2.Client, http: httpx2.Client, open_image: OpenImage
) -> None:
    images = [{"url": data_uri(800, 400, "JPEG")}, {"url": "https://example.com/b.png"}]
    body = {"model": "grok-imagine-image", "prompt": "merge", "images": images}
    first = client.post("/images/edits", json=body)
    told = client.post("/images/edits", json={**body, "aspect_ratio": "1:1"})
    wide = open_image(http.get(first.json()["data"][0]["url"]).content)
    square = open_image(http.get(told.json()["data"][0]["url"]).content)
    assert wide.width / wide.height == pytest.approx(2.0, rel=0.03)
    assert square.width == square.height


def test_an_edit_of_four_images_is_refused(client: httpx2.Client) -> None:
    images = [{"url": f"https://example.com/{i}.png"} for i in range(4)]
    response = client.post(
        "/images/edits", json={"model": "grok-imagine-image", "prompt": "x", "images": images}
    )
    assert response.status_code == 400
    assert "1 to 3" in response.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "data:image/png;base64,!!!not-base64!!!",
        "data:image/png;base64," + base64.b64encode(b"not an image").decode(),
        "data:text/plain;base64,aGVsbG8=",
    ],
)
def test_an_edit_source_must_be_an_http_url_or_an_image_data_uri(
    client: httpx2.Client, url: str
) -> None:
    response = client.post(
        "/images/edits",
        json={"model": "grok-imagine-image", "prompt": "x", "image": {"url": url}},
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("image.url")


def test_an_edit_without_a_source_image_is_refused(client: httpx2.Client) -> None:
    response = client.post("/images/edits", json={"model": "grok-imagine-image", "prompt": "x"})
    assert response.status_code == 422
