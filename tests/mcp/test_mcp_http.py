"""`dave mcp --http`: the same server over streamable HTTP at /mcp, with the SDK's own client,
and the door's guards: loopback by default, a token off loopback, foreign Origins and Host
names refused."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx2
import pytest
from mcp.client.streamable_http import streamable_http_client

from dave.emulator import EmulatorServer
from dave.store import Store
from mcp import ClientSession
from tests.mcp.conftest import dave_command, http_server, text_of

TOKEN = "dave-mcp-test-token-8c1f0e"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "probe", "version": "0"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def test_the_http_server_lists_tools_makes_an_image_and_serves_its_file(
    providers: EmulatorServer, dave_home: Path
) -> None:
    with http_server() as (url, _):
        assert url.startswith("http://127.0.0.1:")
        async with (
            streamable_http_client(url) as streams,
            ClientSession(streams[0], streams[1]) as session,
        ):
            await session.initialize()
            names = [tool.name for tool in (await session.list_tools()).tools]
            made = await session.call_tool("generate_image", {"prompt": "a kite on a hill"})
            asset = made.structured_content["assets"][0]
            read = await session.read_resource(asset["uri"])

    assert "generate_video" in names and "job_wait" in names
    assert made.is_error is False, text_of(made)
    import base64

    assert base64.b64decode(read.contents[0].blob) == Path(asset["path"]).read_bytes()
    with Store.open(dave_home) as store:
        assert store.jobs.get(made.structured_content["job"]["id"]).state.value == "done"
    assert len(providers.log.posts("/v1/images/generations")) == 1


def test_a_foreign_origin_or_host_name_is_refused(providers: EmulatorServer) -> None:
    with http_server() as (url, _):
        port = url.split(":")[2].split("/")[0]
        with httpx2.Client(timeout=10) as client:
            plain = client.post(url, json=INITIALIZE, headers=HEADERS)
            foreign = client.post(
                url, json=INITIALIZE, headers={**HEADERS, "Origin": "https://evil.example"}
            )
            rebound = client.post(
                url, json=INITIALIZE, headers={**HEADERS, "Host": f"evil.example:{port}"}
            )
            same_site = client.post(
                url, json=INITIALIZE, headers={**HEADERS, "Origin": f"http://localhost:{port}"}
            )

    assert plain.status_code == 200
    assert same_site.status_code == 200
    assert foreign.status_code == 403
    assert rebound.status_code == 421


def test_off_loopback_without_a_token_dave_refuses_to_listen(providers: EmulatorServer) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DAVE_SERVER_TOKEN"}
    done = subprocess.run(
        [dave_command(), "mcp", "--http", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to listen on 0.0.0.0 without a token" in lines[0]
    assert "DAVE_SERVER_TOKEN" in lines[0]


async def test_with_a_token_every_request_needs_it_and_it_is_never_echoed(
    providers: EmulatorServer,
) -> None:
    with http_server("--host", "0.0.0.0", env={"DAVE_SERVER_TOKEN": TOKEN}) as (url, process):
        local = url.replace("0.0.0.0", "127.0.0.1")
        with httpx2.Client(timeout=10) as client:
            missing = client.post(local, json=INITIALIZE, headers=HEADERS)
            wrong = client.post(
                local, json=INITIALIZE, headers={**HEADERS, "Authorization": "Bearer nope"}
            )
            basic = client.post(
                local, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Basic {TOKEN}"}
            )
        authorized = httpx2.AsyncClient(
            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=httpx2.Timeout(30, read=300)
        )
        async with (
            authorized,
            streamable_http_client(local, http_client=authorized) as streams,
            ClientSession(streams[0], streams[1]) as session,
        ):
            await session.initialize()
            made = await session.call_tool("generate_image", {"prompt": "a quiet harbour"})
        process.terminate()
        _, errors = process.communicate(timeout=20)

    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert TOKEN not in refused.text
    assert "DAVE_SERVER_TOKEN" in json.loads(missing.text)["error"]
    assert made.is_error is False, text_of(made)
    assert TOKEN not in json.dumps(made.structured_content) and TOKEN not in errors


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [("--wait-s", "-1", "--wait-s must be"), ("--port", "70000", "--port must be")],
)
def test_bad_flags_get_one_line(flag: str, value: str, said: str) -> None:
    done = subprocess.run(
        [dave_command(), "mcp", "--http", flag, value],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1
    assert said in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
