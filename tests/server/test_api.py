"""The JSON API over a real `dave serve`: pages, search and filters, jobs, lineage, generate,
publish, and one-line errors for bad input with nothing journaled or sent."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx2

from dave.emulator import EmulatorServer

from .conftest import generate


def test_generate_journals_runs_and_keeps_the_outputs(
    client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    shown = generate(client, kind="image", provider="xai", prompt="a red fox in the snow", n=2)
    assert [post.path for post in xai.log.posts()] == ["/v1/images/generations"]
    assert xai.log.posts()[0].json["n"] == 2
    assets = shown["assets"]
    assert [a["index"] for a in assets] == [0, 1]
    for asset in assets:
        data = (dave_home / "media" / asset["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == asset["sha256"]
        assert asset["url"] == f"/media/{asset['id']}"
        assert asset["model"] == "grok-imagine-image" and asset["price_unit"] == "usd"
    # The journal's raw provider answer (temporary URLs) stays out of the page.
    assert "result" not in shown["job"]
    assert [e["state"] for e in shown["events"]][:2] == ["created", "submitting"]


def test_pages_search_and_filters_narrow_the_library(
    minimax: EmulatorServer, client: httpx2.Client
) -> None:
    fox = generate(client, kind="image", provider="xai", prompt="a red fox", n=3)["assets"]
    heron = generate(client, kind="image", provider="minimax", prompt="a grey heron")["assets"]
    everything = client.get("/api/assets").json()
    assert [a["id"] for a in everything["assets"]] == [a["id"] for a in heron + fox[::-1]]
    assert everything["next_cursor"] is None

    first = client.get("/api/assets", params={"limit": 2}).json()
    rest = client.get("/api/assets", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["id"] for a in first["assets"] + rest["assets"]] == [
        a["id"] for a in everything["assets"]
    ]
    found = client.get("/api/assets", params={"q": "FOX"}).json()["assets"]
    assert {a["id"] for a in found} == {a["id"] for a in fox}
    assert (
        client.get("/api/assets", params={"q": "gre"}).json()["assets"][0]["id"] == heron[0]["id"]
    )
    by_provider = client.get("/api/assets", params={"provider": "minimax"}).json()["assets"]
    assert [a["id"] for a in by_provider] == [heron[0]["id"]]
    assert client.get("/api/assets", params={"kind": "video"}).json()["assets"] == []
    today = fox[0]["created_at"][:10]
    dated = client.get("/api/assets", params={"since": today, "until": today}).json()["assets"]
    assert len(dated) == 4
    assert client.get("/api/assets", params={"until": "2000-01-01"}).json()["assets"] == []


def test_bad_queries_get_400_with_one_line(client: httpx2.Client) -> None:
    for params, words in (
        ({"provider": "acme"}, "unknown provider 'acme'"),
        ({"kind": "poem"}, "unknown kind 'poem'"),
        ({"limit": "0"}, "limit must be 1 to 200"),
        ({"limit": "lots"}, "limit must be 1 to 200"),
        ({"since": "yesterday"}, "since must be a day such as"),
        ({"cursor": "1 OR 1=1"}, "not a page cursor"),
    ):
        answer = client.get("/api/assets", params=params)
        assert answer.status_code == 400, params
        assert words in answer.json()["error"]
        assert "\n" not in answer.json()["error"]
    missing = client.get("/api/assets/a_00000000000000000000000000")
    assert missing.status_code == 404 and "no asset" in missing.json()["error"]
    assert client.get("/api/jobs/j_0000").status_code == 404


def test_a_bad_generate_request_is_refused_before_anything_is_journaled_or_sent(
    client: httpx2.Client, xai: EmulatorServer
) -> None:
    for body, words in (
        (b"{not json", "the body is not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"kind": "image", "prompt": "x", "n": 99}', "n must be between 1 and 10"),
        (b'{"kind": "image", "provider": "acme", "prompt": "x"}', "acme"),
        (b'{"kind": "edit", "prompt": "x", "images": ["/no/such.png"]}', "file not found"),
    ):
        answer = client.post("/api/generate", content=body)
        assert answer.status_code == 400, (body, answer.text)
        assert words in answer.json()["error"]
    assert client.get("/api/jobs").json()["jobs"] == []
    assert xai.log.posts() == []


def test_an_oversized_body_is_refused_unread(client: httpx2.Client, xai: EmulatorServer) -> None:
    answer = client.post(
        "/api/generate", content=b'{"prompt": "' + b"x" * (33 * 1024 * 1024) + b'"}'
    )
    assert answer.status_code == 413
    assert "larger than 32 MiB" in answer.json()["error"]
    assert xai.log.posts() == []


def test_the_detail_of_an_edit_shows_its_lineage_both_ways(
    client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    source = generate(client, kind="image", prompt="a lighthouse at dusk")["assets"][0]
    path = str(dave_home / "media" / source["path"])
    edit = generate(client, kind="edit", prompt="paint it red", images=[path])["assets"][0]

    shown = client.get(f"/api/assets/{edit['id']}").json()
    assert [(s["field"], s["asset"]["id"]) for s in shown["sources"]] == [
        ("images[0]", source["id"])
    ]
    assert shown["job"]["kind"] == "edit" and shown["events"][-1]["state"] == "done"
    back = client.get(f"/api/assets/{source['id']}").json()
    assert [a["id"] for a in back["derived"]] == [edit["id"]]
    assert back["sources"] == []


def test_publish_puts_the_file_in_the_public_folder_served_under_public(
    client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    asset = generate(client, kind="image", prompt="a kite")["assets"][0]
    answer = client.post(f"/api/assets/{asset['id']}/publish", json={"target": "local"})
    assert answer.status_code == 200, answer.text
    row = answer.json()
    published = dave_home / "public" / row["key"]
    assert hashlib.sha256(published.read_bytes()).hexdigest() == asset["sha256"]
    served = client.get(f"/public/{row['key']}")
    assert served.status_code == 200 and served.content == published.read_bytes()
    again = client.get(f"/api/assets/{asset['id']}").json()["published"]
    assert [p["key"] for p in again] == [row["key"]]
    refused = client.post(f"/api/assets/{asset['id']}/publish", json={"target": "ftp"})
    assert refused.status_code == 400 and "unknown publish target" in refused.json()["error"]


def test_no_key_reaches_any_answer(client: httpx2.Client, xai: EmulatorServer) -> None:
    from tests.conftest import TEST_KEY

    asset = generate(client, kind="image", prompt="a secret garden")["assets"][0]
    pages = [
        client.get("/api/assets"),
        client.get(f"/api/assets/{asset['id']}"),
        client.get("/api/jobs"),
        client.get(f"/api/jobs/{asset['job_id']}"),
        client.get("/api/providers"),
        client.get("/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert TEST_KEY not in page.text
        assert TEST_KEY not in str(page.headers)


def test_providers_lists_the_registry_for_the_filters(client: httpx2.Client) -> None:
    from dave.media.capabilities import providers

    body = client.get("/api/providers").json()
    assert [p["name"] for p in body["providers"]] == list(providers())
    assert body["kinds"] == ["image", "video", "audio", "text"]


def test_a_source_sent_inline_comes_back_cut_not_whole(
    client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    import base64

    source = generate(client, kind="image", prompt="a pebble")["assets"][0]
    data = (dave_home / "media" / source["path"]).read_bytes()
    uri = "data:image/jpeg;base64," + base64.b64encode(data).decode()
    shown = generate(client, kind="edit", prompt="polish it", images=[uri])
    sent = shown["job"]["request"]["images"][0]
    assert sent.startswith("data:image/jpeg;base64,") and sent.endswith(
        f"…({len(uri):,} characters)"
    )
    assert len(sent) < 200
    detail = client.get(f"/api/assets/{shown['assets'][0]['id']}").json()
    assert [s["asset"]["id"] for s in detail["sources"]] == [source["id"]]
    assert len(client.get(f"/api/jobs/{shown['job']['id']}").text) < len(uri)
