"""The checks every server door makes: loopback binds, the token, Host and Origin names."""

from __future__ import annotations

import socket

import httpx2
import pytest

from dave.core.errors import ConfigError
from dave.core.guard import (
    BearerGuard,
    allowed_hosts,
    allowed_origins,
    check_bind,
    is_loopback,
    server_token,
)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_bind_off_loopback_needs_a_token() -> None:
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "a-token")
    with pytest.raises(
        ConfigError, match=r"refusing to listen on 0\.0\.0\.0 without a token"
    ) as error:
        check_bind("0.0.0.0", None)
    assert "DAVE_SERVER_TOKEN" in error.value.user_line()


def test_the_token_comes_from_the_environment_and_blank_means_none() -> None:
    assert server_token({"DAVE_SERVER_TOKEN": "  s3cret "}) == "s3cret"
    assert server_token({"DAVE_SERVER_TOKEN": "  "}) is None
    assert server_token({}) is None


def test_a_loopback_server_answers_only_to_loopback_names_at_its_port() -> None:
    hosts = allowed_hosts("127.0.0.1", 8766)

    assert hosts == ["127.0.0.1:8766", "localhost:8766", "[::1]:8766"]
    assert "http://localhost:8766" in allowed_origins(hosts)
    assert not any("evil" in origin for origin in allowed_origins(hosts))


def test_a_server_off_loopback_also_answers_to_its_address_and_machine_name() -> None:
    given = allowed_hosts("10.1.2.3", 9000)
    wildcard = allowed_hosts("0.0.0.0", 9000)

    assert "10.1.2.3:9000" in given and "127.0.0.1:9000" in given
    assert f"{socket.gethostname()}:9000" in wildcard
    assert "0.0.0.0:9000" not in wildcard


async def _hello(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"hello"})  # type: ignore[operator]


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 401),
        ("Bearer wrong-token", 401),
        ("Bearer right-token-but-longer", 401),
        ("Basic right-token", 401),
        ("bearer right-token", 200),
        ("Bearer right-token", 200),
    ],
)
async def test_the_bearer_guard_lets_through_only_the_token(
    header: str | None, status: int
) -> None:
    guard = BearerGuard(_hello, "right-token")
    transport = httpx2.ASGITransport(app=guard)
    headers = {"Authorization": header} if header else {}
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        answer = await client.get("/anything", headers=headers)

    assert answer.status_code == status
    if status == 401:
        assert "right-token" not in answer.text
        assert answer.headers["www-authenticate"] == 'Bearer realm="dave"'
    else:
        assert answer.text == "hello"
