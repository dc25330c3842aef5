"""`dave demo`: an x.ai image, an edit of it and a short video, a MiniMax image-01 picture and
a Stable Image Core picture, offline, into the real library, each with its list price."""

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


def test_demo_leaves_x_ai_minimax_and_stability_media_in_the_library(
    run_dave: RunDave, dave_home: Path
) -> None:
    assert "XAI_API_KEY" not in os.environ

    done = run_dave("demo")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    printed = [Path(line) for line in done.stdout.splitlines()]
    assert len(printed) == 5
    assert all(path.is_file() for path in printed)

    listed = run_dave("assets", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assets = json.loads(listed.stdout)["assets"]
    # Newest first: Stability's image, MiniMax's image, the video, the edit, the image.
    assert [asset["provider"] for asset in assets] == [
        "stability", "minimax", "xai", "xai", "xai"
    ]  # fmt: skip
    assert [asset["mime"] for asset in assets][2:] == ["video/mp4", "image/jpeg", "image/jpeg"]
    assert sorted(Path(asset["path"]) for asset in assets) == sorted(printed)
    stability, minimax, video, edit, image = assets
    assert len({asset["sha256"] for asset in assets}) == 5
    for asset in assets:
        path = Path(asset["path"])
        assert path.is_relative_to(dave_home / "media")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == asset["sha256"]
    for asset in (image, edit, minimax, stability):
        with Image.open(asset["path"]) as picture:
            picture.load()
            assert picture.size == (asset["width"], asset["height"])
    with av.open(video["path"]) as container:
        assert sum(1 for _ in container.decode(video=0)) > 0
        assert container.duration / 1_000_000 > 1.5
    assert "lighthouse" in image["prompt"]

    jobs = json.loads(run_dave("jobs", "list", "--json").stdout)["jobs"]
    assert sorted((job["provider"], job["kind"], job["model"]) for job in jobs) == [
        ("minimax", "image", "image-01"),
        ("stability", "image", "stable-image-core"),
        ("xai", "edit", "grok-imagine-image"),
        ("xai", "image", "grok-imagine-image"),
        ("xai", "video", "grok-imagine-video"),
    ]
    assert {job["state"] for job in jobs} == {"done"}
    assert {job["price_unit"] for job in jobs} == {"usd", "credits"}


def test_demo_json_is_one_object_with_five_results_and_their_prices(run_dave: RunDave) -> None:
    done = run_dave("demo", "--json")

    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    results = json.loads(line)["results"]
    assert [r["job"]["provider"] for r in results] == [
        "xai", "xai", "xai", "minimax", "stability"
    ]  # fmt: skip
    assert results[0]["job"]["price"] == 0.02
    assert (results[4]["job"]["price"], results[4]["job"]["price_unit"]) == (3, "credits")
