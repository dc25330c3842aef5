"""The emulator's own surface: the request log and fault rules over HTTP, in-process use through
httpx2's ASGITransport, the lazy package, and the media makers."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import av
import httpx2
import pytest
from PIL import Image

from dave.emulator import EmulatorServer, create_app
from dave.emulator.makers import image_size, make_image, make_video, video_size


def test_the_request_log_is_readable_and_clearable_over_http(
    emulator: EmulatorServer, client: httpx2.Client, http: httpx2.Client
) -> None:
    client.post("/images/generations?trace=1", json={"model": "grok-imagine-image", "prompt": "p"})
    client.post("/videos/generations", content=b"not json", headers={"Content-Type": "text/plain"})
    entries = http.get(f"{emulator.url}/_emulator/requests").json()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v1/images/generations", 200),
        ("POST", "/v1/videos/generations", 415),
    ]
    first, second = entries
    assert first["query"] == "trace=1"
    assert first["json"] == {"model": "grok-imagine-image", "prompt": "p"}
    assert first["headers"]["authorization"] == "Bearer test-key"
    assert first["headers"]["content-type"] == "application/json"
    assert first["fault"] is None and isinstance(first["time"], float)
    assert (second["json"], second["body_bytes"]) == (None, len(b"not json"))

    assert http.delete(f"{emulator.url}/_emulator/requests").status_code == 204
    assert http.get(f"{emulator.url}/_emulator/requests").json() == []
    assert len(emulator.log) == 0


def test_fault_rules_can_be_replaced_over_http(
    emulator: EmulatorServer, client: httpx2.Client, http: httpx2.Client
) -> None:
    rules = [{"match": "GET /v1/videos/*", "kind": "status", "status": 503, "times": 2}]
    assert http.put(f"{emulator.url}/_emulator/faults", json=rules).status_code == 200
    assert client.get("/videos/x").status_code == 503
    [state] = http.get(f"{emulator.url}/_emulator/faults").json()
    assert (state["kind"], state["seen"], state["applied"]) == ("status", 1, 1)
    bad = http.put(f"{emulator.url}/_emulator/faults", json=[{"kind": "nope"}])
    assert bad.status_code == 400
    assert emulator.config.faults[0].applied == 1  # a refused update changes nothing


def test_the_log_helpers_filter_by_method_and_path(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    client.post("/images/generations", json={"model": "grok-imagine-image", "prompt": "p"})
    client.get("/videos/abc")
    assert [e.path for e in emulator.log.posts()] == ["/v1/images/generations"]
    assert [e.path for e in emulator.log.gets("/v1/videos/*")] == ["/v1/videos/abc"]
    assert emulator.log.posts("/v1/videos/*") == []


def test_unknown_paths_and_methods_get_the_flat_error_body(client: httpx2.Client) -> None:
    missing = client.get("/no/such/thing")
    wrong_method = client.get("/images/generations")
    assert (missing.status_code, missing.json()["code"]) == (404, "404")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "405")


async def test_the_app_runs_in_process_through_asgi_transport() -> None:
    app = create_app()
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(
        transport=transport, base_url="http://emulator", headers={"Authorization": "Bearer k"}
    ) as client:
        answer = await client.post(
            "/v1/images/generations", json={"model": "grok-imagine-image", "prompt": "inside"}
        )
        url = answer.json()["data"][0]["url"]
        assert url.startswith("http://emulator/files/")
        image = Image.open(io.BytesIO((await client.get(url)).content))
        assert image.size == (1024, 1024)

        app.state.config.set_faults([{"match": "POST /v1/*", "kind": "reset"}])
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.post("/v1/videos/generations", json={"prompt": "x"})
    assert [e.fault for e in app.state.log.entries()] == [None, None, "reset"]


def test_importing_the_package_does_not_load_the_server_or_media_stacks() -> None:
    code = (
        "import sys, dave.emulator as e; "
        "print(sorted(m for m in ('uvicorn', 'av', 'PIL', 'starlette') if m in sys.modules)); "
        "print(e.EmulatorServer.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "EmulatorServer"]


@pytest.mark.parametrize(
    ("ratio", "resolution", "size"),
    [
        ("1:1", "1k", (1024, 1024)),
        ("auto", "2k", (2048, 2048)),
        ("16:9", "1k", (1360, 768)),
        ("9:16", "2k", (1536, 2736)),
    ],
)
def test_image_sizes_hold_the_pixel_budget(
    ratio: str, resolution: str, size: tuple[int, int]
) -> None:
    assert image_size(ratio, resolution) == size


@pytest.mark.parametrize(
    ("ratio", "resolution", "size"),
    [
        ("16:9", "480p", (848, 480)),
        ("9:16", "720p", (720, 1280)),
        ("4:3", "480p", (640, 480)),
        ("1:1", "1080p", (1080, 1080)),
        ("16:9", "1080p", (1920, 1080)),
    ],
)
def test_video_sizes_keep_the_short_side(
    ratio: str, resolution: str, size: tuple[int, int]
) -> None:
    assert video_size(ratio, resolution) == size


def test_made_images_differ_by_prompt_and_are_real_files() -> None:
    red = Image.open(io.BytesIO(make_image("one prompt", 320, 160, "png")))
    blue = Image.open(io.BytesIO(make_image("another prompt", 320, 160, "png")))
    assert (red.format, red.size) == ("PNG", (320, 160))
    assert red.getpixel((0, 0)) != blue.getpixel((0, 0))
    # The prompt is drawn: the picture is not one flat color.
    assert len(red.convert("RGB").getcolors(maxcolors=100_000) or []) > 1


def test_a_made_video_decodes_with_changing_frames() -> None:
    data = make_video("frames change", 160, 96, 2, 4)
    with av.open(io.BytesIO(data)) as container:
        frames = [frame.to_image() for frame in container.decode(video=0)]
    assert len(frames) == 8
    assert frames[0].size == (160, 96)
    assert frames[0].tobytes() != frames[-1].tobytes()


async def test_the_server_works_as_an_async_context_manager() -> None:
    async with (
        EmulatorServer() as server,
        httpx2.AsyncClient(
            base_url=server.xai_base_url, headers={"Authorization": "Bearer k"}
        ) as client,
    ):
        server.set_faults([{"match": "POST /v1/videos/generations", "kind": "reset"}])
        with pytest.raises(httpx2.TransportError):
            await client.post("/videos/generations", json={"prompt": "x"})
        answer = await client.post("/videos/generations", json={"prompt": "x"})
        assert answer.status_code == 200


def test_serve_runs_the_emulator_in_the_foreground_with_faults_from_a_file(
    tmp_path: Path,
) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"match": "POST /v1/images/*", "kind": "reset"}]))
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    code = (
        "from dave.emulator import EmulatorConfig, serve; "
        f"serve('127.0.0.1', {port}, EmulatorConfig.from_file({str(faults)!r}))"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx2.get(f"{base}/_emulator/health").status_code == 200:
                    break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "the emulator did not come up"
                time.sleep(0.05)
        headers = {"Authorization": "Bearer k"}
        body = {"model": "grok-imagine-image", "prompt": "served"}
        with pytest.raises(httpx2.TransportError):
            httpx2.post(f"{base}/v1/images/generations", json=body, headers=headers)
        assert httpx2.post(f"{base}/v1/images/generations", json=body, headers=headers).is_success
    finally:
        process.terminate()
        process.wait(timeout=10)
