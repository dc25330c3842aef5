"""Fault injection as a client sees it over real HTTP: statuses, dropped connections, hangs,
broken downloads, expired URLs, and the rules' counting."""

from __future__ import annotations

import io
import json
import time
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx2
import pytest
from PIL import Image, UnidentifiedImageError

from dave.emulator import EmulatorConfig, EmulatorServer, FaultRule

IMAGE_BODY = {"model": "grok-imagine-image", "prompt": "a red kite"}


def image_url(client: httpx2.Client) -> str:
    response = client.post("/images/generations", json=IMAGE_BODY)
    assert response.status_code == 200, response.text
    return response.json()["data"][0]["url"]


def test_a_429_carries_retry_after_in_seconds(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    emulator.set_faults(
        [{"match": "POST /v1/images/*", "kind": "status", "status": 429, "retry_after": "2"}]
    )
    limited = client.post("/images/generations", json=IMAGE_BODY)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert limited.json() == {"code": "429", "error": "Too Many Requests"}
    assert client.post("/images/generations", json=IMAGE_BODY).status_code == 200


def test_a_429_carries_retry_after_as_an_http_date(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    when = format_datetime(parsedate_to_datetime("Wed, 21 Oct 2026 07:28:00 GMT"), usegmt=True)
    emulator.set_faults(
        [{"match": "POST /v1/videos/generations", "kind": "status", "status": 429,
          "retry_after": when, "body": {"code": "429", "error": "slow down"}}]
    )  # fmt: skip
    limited = client.post("/videos/generations", json={"prompt": "x"})
    assert limited.status_code == 429
    assert parsedate_to_datetime(limited.headers["retry-after"]).year == 2026
    assert limited.json() == {"code": "429", "error": "slow down"}


def test_a_status_fault_skips_then_applies_a_number_of_times(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    emulator.set_faults(
        [{"match": "POST /v1/images/generations", "kind": "status", "status": 503,
          "skip": 1, "times": 2}]
    )  # fmt: skip
    statuses = [client.post("/images/generations", json=IMAGE_BODY).status_code for _ in range(5)]
    assert statuses == [200, 503, 503, 200, 200]
    rule = emulator.config.faults[0]
    assert (rule.seen, rule.applied) == (5, 2)
    assert [entry.fault for entry in emulator.log.posts()] == [None, "status", "status", None, None]


def test_times_zero_faults_every_matching_request(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    emulator.set_faults([{"match": "* /v1/videos/*", "kind": "status", "status": 500, "times": 0}])
    assert [client.get("/videos/anything").status_code for _ in range(3)] == [500, 500, 500]
    assert client.post("/images/generations", json=IMAGE_BODY).status_code == 200


def test_a_reset_drops_the_connection_without_any_response(
    emulator: EmulatorServer, client: httpx2.Client
) -> None:
    emulator.set_faults([{"match": "POST /v1/images/generations", "kind": "reset"}])
    with pytest.raises(httpx2.TransportError) as raised:
        client.post("/images/generations", json=IMAGE_BODY)
    assert isinstance(raised.value, httpx2.RemoteProtocolError | httpx2.ReadError)
    # The request arrived whole before the drop, and nothing was answered.
    [entry] = emulator.log.posts("/v1/images/generations")
    assert (entry.json, entry.fault, entry.status) == (IMAGE_BODY, "reset", None)
    assert client.post("/images/generations", json=IMAGE_BODY).status_code == 200


def test_a_hang_makes_the_clients_read_timeout_fire(emulator: EmulatorServer) -> None:
    emulator.set_faults([{"match": "GET /v1/videos/*", "kind": "hang", "seconds": 5}])
    started = time.monotonic()
    with (
        httpx2.Client(timeout=httpx2.Timeout(5, read=0.3)) as impatient,
        pytest.raises(httpx2.ReadTimeout),
    ):
        impatient.get(f"{emulator.xai_base_url}/videos/x", headers={"Authorization": "Bearer k"})
    assert time.monotonic() - started < 2


def test_a_short_hang_answers_late(emulator: EmulatorServer, client: httpx2.Client) -> None:
    emulator.set_faults([{"match": "POST /v1/images/*", "kind": "hang", "seconds": 0.3}])
    started = time.monotonic()
    assert client.post("/images/generations", json=IMAGE_BODY).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_truncated_download_promises_more_bytes_than_it_sends(
    emulator: EmulatorServer, client: httpx2.Client, http: httpx2.Client
) -> None:
    url = image_url(client)
    whole = http.get(url).content
    emulator.set_faults([{"match": "GET /files/*", "kind": "truncate", "fraction": 0.25}])
    received = bytearray()
    with pytest.raises(httpx2.RemoteProtocolError), http.stream("GET", url) as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(whole)
        for chunk in response.iter_bytes():
            received += chunk
    assert len(received) < len(whole)
    assert bytes(received) == whole[: len(received)]


def test_a_corrupt_download_is_a_200_of_the_right_length_that_is_not_an_image(
    emulator: EmulatorServer, client: httpx2.Client, http: httpx2.Client
) -> None:
    url = image_url(client)
    whole = http.get(url).content
    emulator.set_faults([{"match": "GET /files/*", "kind": "corrupt"}])
    corrupt = http.get(url)
    assert corrupt.status_code == 200
    assert corrupt.headers["content-type"] == "image/jpeg"
    assert len(corrupt.content) == len(whole) and corrupt.content != whole
    with pytest.raises(UnidentifiedImageError):
        Image.open(io.BytesIO(corrupt.content))


def test_a_slow_download_arrives_whole_but_late(
    emulator: EmulatorServer, client: httpx2.Client, http: httpx2.Client
) -> None:
    url = image_url(client)
    whole = http.get(url).content
    emulator.set_faults(
        [{"match": "GET /files/*", "kind": "slow", "chunk_size": len(whole) // 3, "seconds": 0.1}]
    )
    started = time.monotonic()
    assert http.get(url).content == whole
    assert time.monotonic() - started >= 0.3


def test_an_expired_file_url_is_404(emulator: EmulatorServer, client: httpx2.Client) -> None:
    emulator.config.url_ttl_s = 0.2
    url = image_url(client)
    assert httpx2.get(url).status_code == 200
    time.sleep(0.25)
    gone = httpx2.get(url)
    assert gone.status_code == 404
    assert gone.json()["code"] == "404"


def test_a_forged_file_name_is_404(emulator: EmulatorServer, http: httpx2.Client) -> None:
    assert http.get(f"{emulator.url}/files/not-a-token.jpeg").status_code == 404


def test_latency_delays_every_request(emulator: EmulatorServer, client: httpx2.Client) -> None:
    emulator.config.latency_s = 0.2
    started = time.monotonic()
    assert client.get("/videos/unknown").status_code == 404
    assert time.monotonic() - started >= 0.2


def test_a_config_loads_from_json_and_toml(tmp_path: Path) -> None:
    as_json = tmp_path / "faults.json"
    as_json.write_text(json.dumps([{"match": "GET /files/*", "kind": "corrupt", "times": 0}]))
    as_toml = tmp_path / "emulator.toml"
    as_toml.write_text(
        'latency_s = 0.5\napi_keys = ["k"]\n\n'
        '[[faults]]\nmatch = "post /v1/images/generations"\nkind = "status"\n'
        'status = 429\nretry_after = "3"\n'
    )
    from_json = EmulatorConfig.from_file(as_json)
    from_toml = EmulatorConfig.from_file(as_toml)
    assert from_json.faults == [FaultRule(match="GET /files/*", kind="corrupt", times=0)]
    assert from_toml.latency_s == 0.5 and from_toml.api_keys == ["k"]
    assert from_toml.faults[0].match == "POST /v1/images/generations"
    assert from_toml.faults[0].matches("POST", "/v1/images/generations")


@pytest.mark.parametrize(
    "bad",
    [
        {"match": "/v1/images", "kind": "reset"},
        {"match": "GET /x", "kind": "explode"},
        {"match": "GET /x", "kind": "reset", "times": -1},
        {"match": "GET /x", "kind": "reset", "colour": "red"},
    ],
)
def test_a_malformed_fault_rule_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultRule.model_validate(bad)
