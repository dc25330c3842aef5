"""Small readers and writers the CLI tests share: one JSON object from stdout, real source
files, and a journal that makes the Studio poll an async kind at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

from dave.emulator.makers import make_audio
from dave.store import Store
from dave.store.jobs import JobState


def one_json(stdout: str) -> dict[str, Any]:
    """The one JSON object a `--json` run prints; fails on anything else on stdout."""
    lines = stdout.splitlines()
    assert len(lines) == 1, f"expected one line of JSON on stdout, got {stdout!r}"
    value = json.loads(lines[0])
    assert isinstance(value, dict)
    return value


def picture(path: Path, size: tuple[int, int] = (64, 48), fmt: str = "PNG") -> Path:
    """A real image file, one flat colour."""
    Image.new("RGB", size, (30, 120, 200)).save(path, format=fmt)
    return path


def song(path: Path, seconds: float = 8.0) -> Path:
    """A real MP3 of `seconds`."""
    path.write_bytes(make_audio("a reference song", seconds, "mp3"))
    return path


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def polls_at_once(home: Path, provider: str, kind: str, model: str) -> None:
    """Journal three finished jobs of this kind that took no time, so a CLI run in `home`
    expects its own to finish at once and polls at the floor (not the 45 s default)."""
    with Store.open(home) as store:
        for _ in range(3):
            job = store.jobs.create(provider, kind, model, {"kind": kind, "prompt": "seed"})
            for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
                store.jobs.transition(job.id, state)
