"""StabilityClient's tolerance for the shapes the document is unsure of (a finished image under
`result`, v1's `{id, name, message}` errors, a JSON answer's `type=` media type), on answers the
emulator does not give: an httpx2.MockTransport stands in for the service, not for the client."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable

import httpx2
import pytest
from PIL import Image

from dave.core.errors import Rejected, Unauthorized
from dave.core.redact import Secret
from dave.core.settings import HttpSettings
from dave.providers.base import RemoteState
from dave.providers.stability import StabilityClient

KEY = "sk-client-test-0123456789"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


def _client(answer: Callable[[httpx2.Request], httpx2.Response]) -> StabilityClient:
    return StabilityClient(
        Secret(KEY),
        "https://stability.invalid",
        HttpSettings(max_attempts=1),
        transport=httpx2.MockTransport(answer),
    )


async def test_a_finished_image_under_result_is_read() -> None:
    body = {"result": base64.b64encode(_png()).decode(), "finish_reason": "SUCCESS", "seed": 9}

    def answer(request: httpx2.Request) -> httpx2.Response:
        assert request.headers["accept"] == "application/json"
        return httpx2.Response(200, json=body)

    client = _client(answer)
    status = await client.result("image", "a" * 64, json_answer=True)
    await client.aclose()

    assert status.state is RemoteState.DONE
    assert status.outputs[0].data == _png()
    assert status.outputs[0].mime == "image/png"
    assert status.details == {"seed": 9, "finish_reason": "SUCCESS"}


async def test_the_type_parameter_names_the_media_type() -> None:
    body = {"audio": base64.b64encode(b"ID3 fake").decode(), "finish_reason": "SUCCESS"}

    def answer(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "application/json; type=audio/wav"}
        return httpx2.Response(200, content=json.dumps(body).encode(), headers=headers)

    client = _client(answer)
    submission = await client.post(
        "/v2beta/audio/stable-audio-2/text-to-audio", {"prompt": "x"}, json_answer=True
    )
    await client.aclose()

    assert submission.result is not None
    assert submission.result.outputs[0].mime == "audio/wav"
    assert submission.result.details == {"seed": None, "finish_reason": "SUCCESS"}


@pytest.mark.parametrize(
    ("status", "body", "error_type", "text"),
    [
        (
            401,
            {"id": "v1-id", "name": "unauthorized", "message": "bad key"},
            Unauthorized,
            "bad key",
        ),
        (
            422,
            {"id": "v2-id", "name": "invalid_language", "errors": ["prompt: English only"]},
            Rejected,
            "English only",
        ),
    ],
)
async def test_v1_and_v2beta_error_bodies_keep_name_and_id(
    status: int, body: dict[str, object], error_type: type[Exception], text: str
) -> None:
    client = _client(lambda request: httpx2.Response(status, json=body))

    with pytest.raises(error_type) as caught:
        await client.post("/v2beta/stable-image/generate/core", {"prompt": "x"})
    await client.aclose()

    error = caught.value
    assert text in str(error)
    assert (error.code, error.request_id) == (body["name"], body["id"])  # type: ignore[attr-defined]
    assert KEY not in repr(client) and KEY not in str(error)


async def test_numbers_and_booleans_go_as_text_and_none_is_left_out() -> None:
    seen: list[bytes] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.read())
        return httpx2.Response(200, json={"id": "b" * 64})

    client = _client(answer)
    submission = await client.post(
        "/v2beta/stable-image/edit/replace-background-and-relight",
        {"keep_original_background": True, "light_source_strength": 0.5, "seed": 3.0, "x": None},
        {"subject_image": ("s.png", _png(), "image/png")},
    )
    await client.aclose()

    body = seen[0]
    assert submission.provider_job_id == "b" * 64
    assert b'name="keep_original_background"\r\n\r\ntrue\r\n' in body
    assert b'name="light_source_strength"\r\n\r\n0.5\r\n' in body
    assert b'name="seed"\r\n\r\n3\r\n' in body
    assert b'name="x"' not in body and b'name="none"' not in body
