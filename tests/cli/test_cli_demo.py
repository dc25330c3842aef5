"""`dave demo`: an image, an edit of it and a short video, offline, into the real library."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import av
from PIL import Image

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def test_demo_leaves_a_jpeg_an_edited_jpeg_and_an_mp4_in_the_library(
    run_dave: RunDave, dave_home: Path
) -> None:
    assert "XAI_API_KEY" not in os.environ

    done = run_dave("demo")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    printed = [Path(line) for line in done.stdout.splitlines()]
    assert len(printed) == 3
    assert all(path.is_file() for path in printed)

    listed = run_dave("assets", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assets = json.loads(listed.stdout)["assets"]
    # Newest first: the video, the edit, the image.
    assert [asset["mime"] for asset in assets] == ["video/mp4", "image/jpeg", "image/jpeg"]
    assert sorted(Path(asset["path"]) for asset in assets) == sorted(printed)
    video, edit, image = assets
    assert len({asset["sha256"] for asset in assets}) == 3
    for asset in assets:
        path = Path(asset["path"])
        assert path.is_relative_to(dave_home / "media")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == asset["sha256"]
    for asset in (image, edit):
        with Image.open(asset["path"]) as picture:
            picture.load()
            assert picture.format == "JPEG"
            assert picture.size == (asset["width"], asset["height"])
    with av.open(video["path"]) as container:
        assert sum(1 for _ in container.decode(video=0)) > 0
        assert container.duration / 1_000_000 > 1.5
    assert "lighthouse" in image["prompt"]

    jobs = json.loads(run_dave("jobs", "list", "--json").stdout)["jobs"]
    assert sorted(job["kind"] for job in jobs) == ["edit", "image", "video"]
    assert {job["state"] for job in jobs} == {"done"}
