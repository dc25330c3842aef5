"""Media, thumbnails and the public folder over a real `dave serve`: Range requests, ETags,
caching, thumbnails made once, and no path out of the folders served."""

from __future__ import annotations

import io
import os
import wave
from pathlib import Path

import httpx2
from PIL import Image

from dave.emulator import EmulatorServer
from dave.store import Store

from .conftest import generate


def test_media_answers_ranges_with_206_and_the_exact_bytes(
    client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    asset = generate(client, kind="image", prompt="a tide pool")["assets"][0]
    data = (dave_home / "media" / asset["path"]).read_bytes()
    whole = client.get(asset["url"])
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "image/jpeg"
    assert whole.headers["etag"] == f'"{asset["sha256"]}"'
    assert "immutable" in whole.headers["cache-control"]
    assert whole.headers["accept-ranges"] == "bytes"

    part = client.get(asset["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(asset["url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    again = client.get(asset["url"], headers={"If-None-Match": whole.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_thumbnails_are_made_once_and_kept(
    client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    asset = generate(client, kind="image", prompt="a fern", aspect_ratio="16:9")["assets"][0]
    first = client.get(f"/thumbs/{asset['id']}", params={"w": 200})
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(first.content)) as picture:
        assert picture.format == "JPEG"
        assert max(picture.size) == 256  # 200 is rounded up to a kept width
        assert abs(picture.size[0] / picture.size[1] - asset["width"] / asset["height"]) < 0.02
    (kept,) = (dave_home / "thumbs").rglob("*.jpg")
    assert kept.name == f"{asset['sha256']}-256.jpg"
    os.utime(kept, (1_000_000, 1_000_000))
    second = client.get(f"/thumbs/{asset['id']}", params={"w": 256})
    assert second.content == first.content
    assert kept.stat().st_mtime == 1_000_000  # served from the cache, not made again


def test_a_video_gets_a_poster_frame_and_scrubs_with_ranges(
    quick_videos: None, client: httpx2.Client, xai: EmulatorServer, dave_home: Path
) -> None:
    asset = generate(client, kind="video", prompt="waves on a beach", duration=2)["assets"][0]
    assert asset["kind"] == "video" and asset["thumb"]
    poster = client.get(asset["thumb"])
    assert poster.status_code == 200
    with Image.open(io.BytesIO(poster.content)) as picture:
        assert picture.format == "JPEG" and max(picture.size) == 384
        assert (
            len(picture.convert("RGB").getcolors(1 << 16) or ()) > 10
        )  # a real frame, not a blank
    data = (dave_home / "media" / asset["path"]).read_bytes()
    middle = client.get(asset["url"], headers={"Range": f"bytes={len(data) // 2}-"})
    assert middle.status_code == 206 and middle.content == data[len(data) // 2 :]
    assert middle.headers["content-type"] == "video/mp4"


def test_audio_has_no_thumbnail_and_a_missing_file_is_404(
    client: httpx2.Client, dave_home: Path
) -> None:
    sound = io.BytesIO()
    with wave.open(sound, "wb") as track:
        track.setnchannels(1)
        track.setsampwidth(2)
        track.setframerate(8000)
        track.writeframes(b"\x00\x01" * 8000)
    with Store.open(dave_home) as store:
        stored = store.media.root / "ab" / "cd" / "tone.wav"
        stored.parent.mkdir(parents=True)
        stored.write_bytes(sound.getvalue())
        audio = store.assets.add(kind="audio", path="ab/cd/tone.wav", sha256="ab" * 32,
                                 bytes=len(sound.getvalue()), mime="audio/wav")  # fmt: skip
        gone = store.assets.add(kind="image", path="ab/cd/gone.png", sha256="cd" * 32, bytes=1)
        outside = store.assets.add(kind="image", path="../dave.db", sha256="ef" * 32, bytes=1)
    assert client.get(f"/media/{audio.id}").content == sound.getvalue()
    refused = client.get(f"/thumbs/{audio.id}")
    assert refused.status_code == 404 and "no picture" in refused.json()["error"]
    assert client.get(f"/media/{gone.id}").status_code == 404
    # A row whose path points out of the media folder serves nothing.
    leaked = client.get(f"/media/{outside.id}")
    assert leaked.status_code == 404 and b"SQLite" not in leaked.content


def test_no_request_path_leads_out_of_the_folders_served(
    client: httpx2.Client, dave_home: Path
) -> None:
    (dave_home / "public").mkdir(parents=True, exist_ok=True)
    (dave_home / "public" / "shown.txt").write_text("public")
    (dave_home / "secret.txt").write_text("private")
    assert client.get("/public/shown.txt").text == "public"
    for path in (
        "/public/../secret.txt",
        "/public/%2e%2e/secret.txt",
        "/public/..%2fsecret.txt",
        "/media/..%2fsecret.txt",
        "/thumbs/..%2f..%2fsecret.txt",
        "/static/../../../secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
    ):
        answer = client.get(path)
        assert answer.status_code in (400, 404), path
        assert "private" not in answer.text, path
    os.symlink(dave_home / "secret.txt", dave_home / "public" / "link.txt")
    linked = client.get("/public/link.txt")
    assert linked.status_code == 404 and "private" not in linked.text
