"""What the x.ai emulator reports in `usage.cost_in_usd_ticks` (1 USD = 1e10 ticks), by the
rules of xai.md §8: per output image, an edit's input images billed as well, videos per second."""

from __future__ import annotations

import base64
import io

import httpx2
import pytest
from PIL import Image

USD = 10_000_000_000


def png_data_uri() -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (5, 90, 200)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def ticks(client: httpx2.Client, path: str, **fields: object) -> int:
    body = {"model": "grok-imagine-image", "prompt": "a kite", **fields}
    answer = client.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["usage"]["cost_in_usd_ticks"])


def test_a_one_image_edit_bills_its_input_and_its_output(client: httpx2.Client) -> None:
    image = {"url": png_data_uri()}
    assert ticks(client, "/images/edits", image=image) == round(2 * 0.02 * USD)


def test_an_edit_bills_every_input_and_every_output(client: httpx2.Client) -> None:
    images = [{"url": png_data_uri()} for _ in range(2)]
    assert ticks(client, "/images/edits", images=images, n=3) == round(5 * 0.02 * USD)


def test_a_generation_bills_each_output_image(client: httpx2.Client) -> None:
    assert ticks(client, "/images/generations", n=4) == round(4 * 0.02 * USD)


@pytest.mark.parametrize(
    ("model", "usd"),
    [("grok-imagine-image-quality", 0.05), ("grok-imagine-image-pro", 0.02)],
)
def test_image_prices_follow_the_model(client: httpx2.Client, model: str, usd: float) -> None:
    assert ticks(client, "/images/generations", model=model) == round(usd * USD)
    edit = ticks(client, "/images/edits", model=model, image={"url": png_data_uri()})
    assert edit == round(2 * usd * USD)
