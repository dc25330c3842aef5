"""Bad requests fail in the Studio before any money is spent: no HTTP request, no job row, no
file. Each case names the field at fault in its one-line message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dave import ConfigError, InvalidRequest, Studio
from dave.emulator import EmulatorServer


@dataclass
class Sources:
    png: Path
    folder: Path
    text: Path
    missing: Path
    long_mp4: Path


@pytest.fixture
def sources(tmp_path: Path, png: Path, make_mp4: Callable[..., Path]) -> Sources:
    folder = tmp_path / "a-folder.png"
    folder.mkdir()
    text = tmp_path / "notes.png"
    text.write_text("these are notes, not pixels\n", encoding="utf-8")
    return Sources(
        png=png,
        folder=folder,
        text=text,
        missing=tmp_path / "missing.png",
        long_mp4=make_mp4(9.5, size=(32, 32)),
    )


Call = Callable[[Studio, Sources], Awaitable[Any]]

CASES: list[tuple[str, Call, str]] = [
    ("empty prompt", lambda s, f: s.image("   "), "prompt is empty"),
    ("n=11", lambda s, f: s.image("a fox", n=11), "n must be between 1 and 10"),
    ("n=0", lambda s, f: s.image("a fox", n=0), "n must be between 1 and 10"),
    ("aspect 5:4", lambda s, f: s.image("a fox", aspect_ratio="5:4"), "aspect_ratio"),
    ("resolution 4k", lambda s, f: s.image("a fox", resolution="4k"), "resolution"),
    (
        "response_format png",
        lambda s, f: s.image("a fox", response_format="png"),
        "response_format",
    ),
    ("quality on base model", lambda s, f: s.image("a fox", quality="high"), "quality"),
    ("unknown model", lambda s, f: s.image("a fox", model="grok-imagine-9"), "grok-imagine-9"),
    ("unknown field", lambda s, f: s.image("a fox", size="1024x1024"), "size"),
    ("4 edit images", lambda s, f: s.edit("x", [str(f.png)] * 4), "at most 3"),
    ("no edit images", lambda s, f: s.edit("x", []), "at least 1"),
    ("missing file", lambda s, f: s.edit("x", [str(f.missing)]), "not found"),
    ("directory as image", lambda s, f: s.edit("x", [str(f.folder)]), "directory"),
    ("text file as image", lambda s, f: s.edit("x", [str(f.text)]), "not a decodable image"),
    ("ftp URL", lambda s, f: s.edit("x", ["ftp://example.com/cat.png"]), "ftp"),
    (
        "data URI that is not an image",
        lambda s, f: s.edit("x", ["data:text/plain;base64,aGVsbG8="]),
        "data URI",
    ),
    ("duration 40", lambda s, f: s.video("a fox", duration=40), "duration 40"),
    ("duration 0", lambda s, f: s.video("a fox", duration=0), "duration 0"),
    ("1080p on base model", lambda s, f: s.video("a fox", resolution="1080p"), "1080p"),
    (
        "last_frame on base model",
        lambda s, f: s.video("a fox", last_frame=str(f.png)),
        "last_frame",
    ),
    (
        "image and references together",
        lambda s, f: s.video("a fox", image=str(f.png), references=[str(f.png)]),
        "cannot be combined",
    ),
    (
        "8 references",
        lambda s, f: s.video("a fox", references=[str(f.png)] * 8),
        "at most 7",
    ),
    (
        "video prompt over 4096 characters",
        lambda s, f: s.video("x" * 4097),
        "4,096",
    ),
    (
        "edit of a clip longer than 8.7 s",
        lambda s, f: s.video("snow", edit_video=str(f.long_mp4)),
        "8.7",
    ),
    (
        "duration on a video edit",
        lambda s, f: s.video("snow", edit_video=str(f.png), duration=3),
        "duration",
    ),
    (
        "png as the video to extend",
        lambda s, f: s.video("more", extend_video=str(f.png)),
        "expected MP4",
    ),
    ("missing image-to-video frame", lambda s, f: s.video("go", image=str(f.missing)), "not found"),
]


@pytest.mark.parametrize(("call", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_invalid_request_makes_no_call_no_row_and_no_file(
    studio: Studio,
    xai: EmulatorServer,
    sources: Sources,
    media_files: Callable[[], list[Path]],
    call: Call,
    expected: str,
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await call(studio, sources)

    line = caught.value.user_line()
    assert expected in line
    assert "\n" not in line
    assert len(xai.log) == 0
    assert studio.jobs.count() == 0
    assert studio.assets.count() == 0
    assert media_files() == []


async def test_invalid_journaled_request_dict_is_refused_too(
    studio: Studio, xai: EmulatorServer
) -> None:
    with pytest.raises(InvalidRequest, match="kind must be one of"):
        await studio.run({"kind": "song", "prompt": "la la la"})
    with pytest.raises(InvalidRequest, match="n must be between"):
        await studio.run({"kind": "image", "prompt": "a fox", "n": 11})

    assert len(xai.log) == 0
    assert studio.jobs.count() == 0


async def test_a_missing_key_fails_before_anything_is_journaled(
    xai: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XAI_API_KEY")

    async with Studio(poll_floor_s=0.1) as studio:
        with pytest.raises(ConfigError) as caught:
            await studio.image("a fox")
        assert "XAI_API_KEY" in caught.value.user_line()
        assert "--offline" in caught.value.user_line()
        assert studio.jobs.count() == 0
    assert len(xai.log) == 0
