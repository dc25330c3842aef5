"""The door's guards over a real `dave serve`: loopback unless a token is set, the token on
every request and socket (Bearer, or the login cookie), foreign Hosts and Origins refused."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx2
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from dave.emulator import EmulatorServer

from .conftest import Served, start_server

TOKEN = "serve-token-0123456789abcdef"


def test_a_foreign_host_header_is_refused_as_dns_rebinding(
    server: Served, client: httpx2.Client
) -> None:
    port = server.host.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}"):
        answer = client.get("/api/assets", headers={"Host": host})
        assert answer.status_code == 421, host
        assert answer.json() == {"error": "this server answers to its own name only"}
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        assert client.get("/api/assets", headers={"Host": host}).status_code == 200


def test_a_foreign_origin_cannot_post_or_open_a_socket(
    server: Served, client: httpx2.Client, xai: EmulatorServer
) -> None:
    body = {"kind": "image", "prompt": "spend the user's money"}
    for origin in ("https://evil.example", "http://localhost.evil.example", "null"):
        answer = client.post("/api/generate", json=body, headers={"Origin": origin})
        assert answer.status_code == 403, origin
        assert answer.json() == {"error": "cross-site requests are refused"}
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{server.ws}/ws/events", origin=origin, open_timeout=5)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
    assert xai.log.posts() == []
    assert client.get("/api/jobs").json()["jobs"] == []
    own = client.get("/api/assets", headers={"Origin": server.url.rstrip("/")})
    assert own.status_code == 200
    with connect(f"{server.ws}/ws/events", origin=server.url.rstrip("/"), open_timeout=5) as ws:  # type: ignore[arg-type]
        assert json.loads(ws.recv(timeout=5)) == {"kind": "hello"}


def test_every_answer_carries_the_content_policy(client: httpx2.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"


def test_off_loopback_without_a_token_is_refused_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dave", "serve", "--host", "0.0.0.0", "--port", "0", "--offline"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "refusing to listen on 0.0.0.0 without a token" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 2


@pytest.fixture
def guarded(xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Served:
    monkeypatch.setenv("DAVE_SERVER_TOKEN", TOKEN)
    served = start_server()
    yield served  # type: ignore[misc]
    served.stop()


def test_with_a_token_every_request_and_socket_needs_it(guarded: Served) -> None:
    with httpx2.Client(base_url=guarded.url, timeout=30) as http:
        for path in ("/", "/api/assets", "/api/jobs", "/media/a_x", "/thumbs/a_x", "/public/x"):
            answer = http.get(path)
            assert answer.status_code == 401, path
            assert TOKEN not in answer.text
        wrong = http.get("/api/assets", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401 and "not-the-token" not in wrong.text
        right = http.get("/api/assets", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200 and right.json()["assets"] == []
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{guarded.ws}/ws/events", open_timeout=5)
    assert refused.value.response.status_code == 403
    with connect(f"{guarded.ws}/ws/events", additional_headers={"Authorization": f"Bearer {TOKEN}"},
                 open_timeout=5) as ws:  # fmt: skip
        assert json.loads(ws.recv(timeout=5)) == {"kind": "hello"}


def test_the_login_form_sets_an_http_only_cookie_that_opens_the_gallery(guarded: Served) -> None:
    with httpx2.Client(base_url=guarded.url, timeout=30) as http:
        form = http.get("/login")
        assert form.status_code == 200 and 'name="token"' in form.text
        bad = http.post("/login", data={"token": "guess"})
        assert bad.status_code == 401 and "guess" not in bad.text
        assert "set-cookie" not in bad.headers
        good = http.post("/login", data={"token": TOKEN})
        assert good.status_code == 303 and good.headers["location"] == "/"
        cookie = good.headers["set-cookie"]
        assert cookie.startswith(f"dave_token={TOKEN}")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert http.get("/api/assets").status_code == 200  # the client kept the cookie
    with connect(f"{guarded.ws}/ws/events", additional_headers={"Cookie": f"dave_token={TOKEN}"},
                 open_timeout=5) as ws:  # fmt: skip
        assert json.loads(ws.recv(timeout=5)) == {"kind": "hello"}
