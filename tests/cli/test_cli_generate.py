"""`dave image`, `dave edit`, `dave video` and `dave jobs wait` in a subprocess: stdout carries
results only (paths, or one JSON object), the summary goes to stderr, files land in DAVE_HOME."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from dave.emulator import EmulatorServer

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _one_json(stdout: str) -> dict[str, Any]:
    lines = stdout.splitlines()
    assert len(lines) == 1, f"expected one line of JSON on stdout, got {stdout!r}"
    value = json.loads(lines[0])
    assert isinstance(value, dict)
    return value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _png(path: Path, size: tuple[int, int] = (64, 48), fmt: str = "PNG") -> Path:
    Image.new("RGB", size, (30, 120, 200)).save(path, format=fmt)
    return path


def test_image_json_prints_one_object_with_the_job_and_its_files(
    run_dave: RunDave, xai: EmulatorServer, dave_home: Path
) -> None:
    done = run_dave("image", "a red fox in the snow", "-n", "2", "--json")

    assert done.returncode == 0, done.stderr
    payload = _one_json(done.stdout)
    job = payload["job"]
    assert job["provider"] == "xai"
    assert job["kind"] == "image"
    assert job["state"] == "done"
    assert job["id"].startswith("j_")
    assert "provider_job_id" in job and job["provider_job_id"] is None
    assert len(payload["assets"]) == 2
    for asset in payload["assets"]:
        path = Path(asset["path"])
        assert path.is_file()
        assert path.is_relative_to(dave_home / "media")
        assert _sha256(path) == asset["sha256"]
        assert asset["mime"] == "image/jpeg"
        assert asset["bytes"] == path.stat().st_size
    (post,) = xai.log.posts()
    assert post.json["prompt"] == "a red fox in the snow"
    assert post.json["n"] == 2


def test_image_human_mode_prints_paths_on_stdout_and_the_summary_on_stderr(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    done = run_dave("image", "a blue heron", "-n", "2", "-a", "3:2")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        path = Path(line)
        assert path.is_absolute() and path.is_file()
        assert path.suffix == ".jpg"
        with Image.open(path) as image:
            assert image.size[0] > image.size[1]
    assert "done" in done.stderr
    assert "2 file(s)" in done.stderr
    assert "j_" in done.stderr
    assert "j_" not in done.stdout


def test_out_dir_gets_copies_under_readable_names_with_identical_bytes(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "exports"

    done = run_dave("image", "A Lighthouse, at Dusk!", "-n", "2", "-o", str(out), "--json")

    assert done.returncode == 0, done.stderr
    payload = _one_json(done.stdout)
    copies = [Path(p) for p in payload["copies"]]
    assert sorted(copies) == sorted(out.iterdir())
    job_tail = payload["job"]["id"][-6:].lower()
    assert [c.name for c in copies] == [
        f"a-lighthouse-at-dusk-{job_tail}-1.jpg",
        f"a-lighthouse-at-dusk-{job_tail}-2.jpg",
    ]
    for copy, asset in zip(copies, payload["assets"], strict=True):
        assert copy.read_bytes() == Path(asset["path"]).read_bytes()


def test_out_dir_in_human_mode_prints_the_copies(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "exports"

    done = run_dave("image", "a small cactus", "-o", str(out))

    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert Path(line).parent == out
    assert Path(line).name.startswith("a-small-cactus-")


def test_inline_b64_through_opt_downloads_nothing(run_dave: RunDave, xai: EmulatorServer) -> None:
    done = run_dave("image", "a red fox", "--opt", "response_format=b64_json", "--json")

    assert done.returncode == 0, done.stderr
    assert _one_json(done.stdout)["job"]["state"] == "done"
    assert xai.log.posts()[0].json["response_format"] == "b64_json"
    assert xai.log.gets() == []


def test_edit_with_two_images_sends_both_in_order(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    first = _png(tmp_path / "first.png")
    second = _png(tmp_path / "second.jpg", size=(32, 32), fmt="JPEG")

    done = run_dave(
        "edit", "put them side by side", "--image", str(first), "--image", str(second), "--json"
    )

    assert done.returncode == 0, done.stderr
    payload = _one_json(done.stdout)
    assert payload["job"]["kind"] == "edit"
    assert payload["job"]["state"] == "done"
    (asset,) = payload["assets"]
    assert Path(asset["path"]).is_file()
    (post,) = xai.log.posts()
    assert post.path == "/v1/images/edits"
    urls = [item["url"] for item in post.json["images"]]
    assert urls[0] == "data:image/png;base64," + base64.b64encode(first.read_bytes()).decode()
    assert urls[1] == "data:image/jpeg;base64," + base64.b64encode(second.read_bytes()).decode()


def test_offline_video_end_to_end(run_dave: RunDave, dave_home: Path) -> None:
    done = run_dave("video", "waves on a pebble beach", "--offline", "--duration", "2", "--json")

    assert done.returncode == 0, done.stderr
    payload = _one_json(done.stdout)
    assert payload["job"]["state"] == "done"
    assert payload["job"]["kind"] == "video"
    assert payload["job"]["provider_job_id"]
    (asset,) = payload["assets"]
    path = Path(asset["path"])
    assert path.is_relative_to(dave_home / "media")
    assert asset["mime"] == "video/mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert sum(1 for _ in container.decode(video=0)) > 0
        assert (stream.codec_context.width, stream.codec_context.height) == (848, 480)
        assert container.duration / 1_000_000 == pytest.approx(2.0, abs=0.2)


def test_video_no_wait_then_jobs_wait_gives_the_assets(run_dave: RunDave) -> None:
    started = run_dave("video", "a lantern flickers", "--offline", "-d", "1", "--no-wait", "--json")

    assert started.returncode == 0, started.stderr
    first = _one_json(started.stdout)
    assert first["job"]["state"] == "submitted"
    assert first["assets"] == []
    job_id = first["job"]["id"]

    finished = run_dave("jobs", "wait", job_id, "--offline", "--json")

    assert finished.returncode == 0, finished.stderr
    second = _one_json(finished.stdout)
    assert second["job"]["id"] == job_id
    assert second["job"]["state"] == "done"
    assert second["job"]["provider_job_id"] == first["job"]["provider_job_id"]
    (asset,) = second["assets"]
    assert Path(asset["path"]).is_file()
    assert asset["mime"] == "video/mp4"
    assert _sha256(Path(asset["path"])) == asset["sha256"]
