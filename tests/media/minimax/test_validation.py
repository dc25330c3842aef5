"""Bad MiniMax requests are refused in one line before anything is sent: models per mode, the
duration × resolution matrix, sizes, ratios, styles, music families and lyrics modes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dave import Studio
from dave.core.errors import InvalidRequest
from dave.emulator import EmulatorServer
from dave.media.validation import validate

BAD: list[tuple[dict[str, Any], str]] = [
    # images (§2)
    ({"kind": "image", "prompt": "x" * 1501}, "at most 1,500"),
    ({"kind": "image", "prompt": "a", "n": 10}, "n must be between 1 and 9"),
    ({"kind": "image", "prompt": "a", "model": "image-02"}, "not a MiniMax image model"),
    ({"kind": "image", "prompt": "a", "width": 1024}, "set both or neither"),
    ({"kind": "image", "prompt": "a", "width": 1004, "height": 1024}, "multiple of 8"),
    ({"kind": "image", "prompt": "a", "width": 256, "height": 256}, "512–2048"),
    (
        {"kind": "image", "prompt": "a", "width": 1024, "height": 1024, "aspect_ratio": "1:1"},
        "cannot be combined",
    ),
    (
        {"kind": "image", "prompt": "a", "model": "image-01-live", "width": 1024, "height": 1024},
        "image-01 only",
    ),
    (
        {"kind": "image", "prompt": "a", "model": "image-01-live", "aspect_ratio": "21:9"},
        "21:9 is image-01 only",
    ),
    ({"kind": "image", "prompt": "a", "aspect_ratio": "5:4"}, "aspect_ratio '5:4'"),
    ({"kind": "image", "prompt": "a", "style": "comic"}, "image-01-live only"),
    (
        {"kind": "image", "prompt": "a", "model": "image-01-live", "style": "cubist"},
        "not a MiniMax style",
    ),
    ({"kind": "image", "prompt": "a", "negative_prompt": "b"}, "negative_prompt is not supported"),
    ({"kind": "image", "prompt": "a", "quality": "high"}, "quality is not supported"),
    # video (§3)
    ({"kind": "video", "prompt": "a", "duration": 10, "resolution": "1080p"}, "1080P takes 6 s"),
    ({"kind": "video", "prompt": "a", "resolution": "512P"}, "resolution '512P'"),
    ({"kind": "video", "prompt": "a", "resolution": "720P"}, "use 768P, 1080P"),
    ({"kind": "video", "prompt": "a", "duration": 8}, "duration 8 s"),
    ({"kind": "video", "prompt": "a", "model": "MiniMax-Hailuo-2.3-Fast"}, "needs a first frame"),
    ({"kind": "video", "prompt": "a", "model": "S2V-01"}, "S2V-01 cannot do text-to-video"),
    (
        {"kind": "video", "prompt": "a", "model": "T2V-01", "resolution": "1080P"},
        "resolution '1080P'",
    ),
    ({"kind": "video", "prompt": "x" * 2001}, "at most 2,000"),
    ({"kind": "video", "prompt": ""}, "prompt is empty"),
    ({"kind": "video", "prompt": "a", "aspect_ratio": "16:9"}, "aspect_ratio is not supported"),
    ({"kind": "video", "prompt": "a", "generate_audio": False}, "generate_audio is not supported"),
    (
        {"kind": "video", "prompt": "a", "model": "T2V-01", "fast_pretreatment": True},
        "fast_pretreatment is Hailuo",
    ),
    # music (§4.1)
    ({"kind": "music", "prompt": "pop"}, "lyrics are required"),
    ({"kind": "music", "prompt": "", "instrumental": True}, "prompt is empty"),
    (
        {"kind": "music", "prompt": "pop", "instrumental": True, "lyrics": "[Verse]\nla"},
        "cannot be combined with instrumental",
    ),
    ({"kind": "music", "prompt": "pop", "lyrics": "x" * 3501}, "1–3,500"),
    (
        {"kind": "music", "prompt": "a warm folk song", "model": "music-2.0", "lyrics": "short"},
        "10–600",
    ),
    (
        {
            "kind": "music",
            "prompt": "pop",
            "model": "music-2.0",
            "lyrics": "x" * 20,
            "instrumental": True,
        },
        "instrumental is not supported by music-2.0",
    ),
    (
        {"kind": "music", "prompt": "a cover please", "model": "music-cover"},
        "exactly one of reference",
    ),
    (
        {"kind": "music", "prompt": "too short", "cover_feature_id": "abc", "lyrics": "x" * 20},
        "10–300",
    ),
    ({"kind": "music", "prompt": "a cover please", "cover_feature_id": "abc"}, "needs lyrics"),
    (
        {
            "kind": "music",
            "prompt": "pop",
            "lyrics": "la",
            "cover_feature_id": "abc",
            "model": "music-2.6",
        },
        "for cover models",
    ),
    (
        {"kind": "music", "prompt": "pop", "lyrics": "la", "sample_rate": 48000},
        "sample_rate '48000'",
    ),
    ({"kind": "music", "prompt": "pop", "lyrics": "la", "bitrate": 1}, "bitrate '1'"),
    ({"kind": "music", "prompt": "pop", "lyrics": "la", "output_format": "pcm"}, "raw samples"),
    ({"kind": "music", "prompt": "pop", "lyrics": "la", "seed": 3}, "seed is not supported"),
    # lyrics (§4.2, §4.3)
    ({"kind": "lyrics", "mode": "edit"}, "needs the lyrics to revise"),
    ({"kind": "lyrics", "lyrics": "la"}, "only taken with mode edit"),
    ({"kind": "lyrics", "prompt": "x" * 2001}, "at most 2,000"),
    ({"kind": "lyrics", "model": "music-cover"}, "set track"),
    # kinds MiniMax does not make
    (
        {"kind": "edit", "prompt": "a", "images": ["https://example.com/a.png"]},
        "minimax cannot make edit requests; use provider",
    ),
    (
        {"kind": "upscale", "image": "https://example.com/a.png"},
        "minimax cannot make upscale requests; use provider stability",
    ),
]


@pytest.mark.parametrize(("fields", "message"), BAD, ids=[m for _, m in BAD])
async def test_a_bad_request_is_one_line_and_nothing_is_sent(
    studio: Studio, minimax: EmulatorServer, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await studio.run({"provider": "minimax", **fields})

    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(minimax.log) == 0
    assert studio.jobs.count() == 12  # only the conftest's seeded video history


def test_sources_are_checked_before_sending(
    picture: Callable[..., Path], track: Callable[..., Path]
) -> None:
    small = picture("small.png", size=(200, 200))
    with pytest.raises(InvalidRequest, match="short side must be over 300"):
        validate({"kind": "video", "provider": "minimax", "prompt": "a", "image": str(small)})
    short = track(3.0)
    with pytest.raises(InvalidRequest, match="6 s to 6 min"):
        validate({"kind": "music", "provider": "minimax", "prompt": "a cover, jazz style",
                  "reference": str(short)})  # fmt: skip
    with pytest.raises(InvalidRequest, match="last_frame needs a first frame"):
        validate({"kind": "video", "provider": "minimax", "prompt": "a",
                  "last_frame": str(picture())})  # fmt: skip


def test_validation_fills_in_models_defaults_and_spellings() -> None:
    video = validate({"kind": "video", "provider": "minimax", "prompt": "a", "resolution": "1080p"})
    assert (video.model, video.request.resolution, video.request.duration) == (
        "MiniMax-Hailuo-2.3", "1080P", 6,
    )  # fmt: skip
    assert video.charge is None  # no 1080P price was found
    live = validate({"kind": "image", "provider": "minimax", "prompt": "a",
                     "model": "image-01-live", "style": "漫画"})  # fmt: skip
    assert live.request.style == "漫画"
    cover = validate({"kind": "music", "provider": "minimax", "prompt": "a cover, jazz style",
                      "cover_feature_id": "f" * 32, "lyrics": "[Verse]\nla la la la"})  # fmt: skip
    assert cover.model == "music-cover"
    free = validate({"kind": "music", "provider": "minimax", "prompt": "pop", "lyrics": "la",
                     "model": "music-2.6-free"})  # fmt: skip
    assert free.warnings == ("music-2.6-free is discontinued 2026-08-20",)
    image = validate({"kind": "image", "provider": "minimax", "prompt": "a", "n": 3})
    assert image.charge is not None and image.charge.amount == pytest.approx(0.09)
