"""Every bad Stability request is refused in one line naming the field, before any network call
(the emulator's log stays empty)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dave import Studio
from dave.core.errors import InvalidRequest
from dave.emulator import EmulatorServer

Picture = Callable[..., Path]
Make = Callable[[Picture, Callable[..., Path]], dict[str, Any]]

_IMAGE = {"kind": "image", "provider": "stability", "prompt": "a fox"}
_MUSIC = {"kind": "music", "provider": "stability", "prompt": "rain", "duration": 2}


def _edit(
    op: str, picture: Picture, size: tuple[int, int] = (64, 64), **fields: Any
) -> dict[str, Any]:
    return {
        "kind": "edit",
        "provider": "stability",
        "op": op,
        "images": [str(picture(size=size))],
        **fields,
    }


def _upscale(mode: str, picture: Picture, size: tuple[int, int], **fields: Any) -> dict[str, Any]:
    return {"kind": "upscale", "mode": mode, "image": str(picture(size=size)), **fields}


def _control(mode: str, picture: Picture, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "control",
        "mode": mode,
        "image": str(picture()),
        "prompt": "a castle",
        **fields,
    }


CASES: list[tuple[str, Make, str]] = [
    (
        "prompt too long",
        lambda p, t: {**_IMAGE, "prompt": "x" * 10_001},
        "prompt is 10,001 characters",
    ),
    ("n above 1", lambda p, t: {**_IMAGE, "n": 2}, "n must be 1"),
    (
        "seed too big",
        lambda p, t: {**_IMAGE, "seed": 4_294_967_295},
        "seed 4294967295 is out of range",
    ),
    ("ratio not in the enum", lambda p, t: {**_IMAGE, "aspect_ratio": "4:3"}, "aspect_ratio '4:3'"),
    ("unknown style", lambda p, t: {**_IMAGE, "style": "watercolor"}, "style 'watercolor'"),
    ("x.ai resolution", lambda p, t: {**_IMAGE, "resolution": "2k"}, "resolution is not supported"),
    ("x.ai quality", lambda p, t: {**_IMAGE, "quality": "high"}, "quality is not supported"),
    (
        "core takes no image",
        lambda p, t: {**_IMAGE, "image": str(p()), "strength": 0.5},
        "image is not supported by stability stable-image-core",
    ),
    (
        "ultra image needs strength",
        lambda p, t: {**_IMAGE, "model": "stable-image-ultra", "image": str(p())},
        "strength is required with image",
    ),
    (
        "strength without an image",
        lambda p, t: {**_IMAGE, "model": "sd3.5-large", "strength": 0.5},
        "strength is only for image-to-image",
    ),
    (
        "sd3 image-to-image with a ratio",
        lambda p, t: {
            **_IMAGE,
            "model": "sd3.5-medium",
            "image": str(p()),
            "strength": 0.5,
            "aspect_ratio": "1:1",
        },
        "aspect_ratio is only for text-to-image",
    ),
    (
        "cfg_scale above 10",
        lambda p, t: {**_IMAGE, "model": "sd3.5-large", "cfg_scale": 11},
        "cfg_scale 11",
    ),
    (
        "cfg_scale on ultra",
        lambda p, t: {**_IMAGE, "model": "stable-image-ultra", "cfg_scale": 2},
        "cfg_scale is not supported",
    ),
    (
        "model and op disagree",
        lambda p, t: _edit("inpaint", p, model="erase"),
        "contradicts op 'inpaint'",
    ),
    (
        "erase takes no prompt",
        lambda p, t: _edit("erase", p, prompt="a cat"),
        "prompt is not supported by stability erase",
    ),
    ("erase grow_mask", lambda p, t: _edit("erase", p, grow_mask=21), "grow_mask 21"),
    (
        "inpaint needs a prompt",
        lambda p, t: _edit("inpaint", p),
        "prompt is required for stability inpaint",
    ),
    (
        "inpaint grow_mask",
        lambda p, t: _edit("inpaint", p, prompt="x", grow_mask=101),
        "grow_mask 101",
    ),
    (
        "outpaint with no direction",
        lambda p, t: _edit("outpaint", p, left=0),
        "at least one of left",
    ),
    ("outpaint too far", lambda p, t: _edit("outpaint", p, up=2001), "up 2001 px"),
    (
        "outpaint creativity",
        lambda p, t: _edit("outpaint", p, left=8, creativity=1.5),
        "creativity 1.5",
    ),
    (
        "outpaint too wide",
        lambda p, t: _edit("outpaint", p, (300, 100), left=8),
        "aspect ratio must be between 1:2.5",
    ),
    (
        "search-replace needs search",
        lambda p, t: _edit("search-replace", p, prompt="a dog"),
        "search is required",
    ),
    (
        "remove-background jpeg",
        lambda p, t: _edit("remove-background", p, output_format="jpeg"),
        "output_format 'jpeg'",
    ),
    (
        "remove-background too large",
        lambda p, t: _edit("remove-background", p, (2100, 2100)),
        "at most 4,194,304 pixels",
    ),
    (
        "edit source too small",
        lambda p, t: _edit("erase", p, (63, 200)),
        "every side must be at least 64 px",
    ),
    ("relight with no background", lambda p, t: _edit("relight", p), "relight needs a background"),
    (
        "relight light_strength alone",
        lambda p, t: _edit("relight", p, prompt="a beach", light_strength=0.5),
        "light_strength needs light_direction",
    ),
    (
        "two images",
        lambda p, t: {**_edit("erase", p), "images": [str(p()), str(p())]},
        "takes exactly 1 image",
    ),
    (
        "fast upscale side",
        lambda p, t: _upscale("fast", p, (1600, 400)),
        "every side must be at most 1,536 px",
    ),
    (
        "fast upscale tiny",
        lambda p, t: _upscale("fast", p, (31, 64)),
        "every side must be at least 32 px",
    ),
    (
        "fast upscale prompt",
        lambda p, t: _upscale("fast", p, (64, 64), prompt="x"),
        "prompt is not supported",
    ),
    (
        "creative above 1 MP",
        lambda p, t: _upscale("creative", p, (1100, 1000), prompt="x"),
        "at most 1,048,576 pixels",
    ),
    (
        "creative creativity",
        lambda p, t: _upscale("creative", p, (64, 64), prompt="x", creativity=0.05),
        "creativity 0.05",
    ),
    (
        "conservative ratio",
        lambda p, t: _upscale("conservative", p, (400, 100), prompt="x"),
        "aspect ratio",
    ),
    (
        "conservative creativity",
        lambda p, t: _upscale("conservative", p, (64, 64), prompt="x", creativity=0.6),
        "creativity 0.6",
    ),
    (
        "conservative needs a prompt",
        lambda p, t: _upscale("conservative", p, (64, 64)),
        "prompt is required",
    ),
    (
        "upscale model and mode disagree",
        lambda p, t: _upscale("fast", p, (64, 64), model="upscale-creative"),
        "contradicts mode 'fast'",
    ),
    (
        "sketch takes no fidelity",
        lambda p, t: _control("sketch", p, fidelity=0.5),
        "fidelity is not supported",
    ),
    (
        "sketch control_strength",
        lambda p, t: _control("sketch", p, control_strength=2),
        "control_strength 2",
    ),
    (
        "style-transfer needs a style image",
        lambda p, t: _control("style-transfer", p),
        "style_image is required",
    ),
    (
        "style-transfer change_strength",
        lambda p, t: _control("style-transfer", p, style_image=str(p()), change_strength=0.05),
        "change_strength 0.05",
    ),
    (
        "sketch takes no style image",
        lambda p, t: _control("sketch", p, style_image=str(p())),
        "style_image is not supported",
    ),
    (
        "a URL source",
        lambda p, t: _upscale("fast", p, (64, 64)) | {"image": "https://example.com/a.png"},
        "not URLs",
    ),
    (
        "video on stability",
        lambda p, t: {"kind": "video", "provider": "stability", "prompt": "x"},
        "stability cannot make video requests; use provider",
    ),
    ("lyrics on stability", lambda p, t: {**_MUSIC, "lyrics": "la la"}, "lyrics is not supported"),
    (
        "sa2 inpaint",
        lambda p, t: {**_MUSIC, "model": "stable-audio-2", "reference": str(t()), "mask_start": 1},
        "need stable-audio-2.5 or stable-audio-3",
    ),
    ("inpaint without audio", lambda p, t: {**_MUSIC, "mask_end": 3}, "inpaint needs reference"),
    (
        "strength without reference",
        lambda p, t: {**_MUSIC, "strength": 0.5},
        "strength is only for audio-to-audio",
    ),
    (
        "sa2 steps",
        lambda p, t: {**_MUSIC, "model": "stable-audio-2", "steps": 20},
        "steps 20 is out of range for stable-audio-2; use 30–100",
    ),
    ("sa2.5 steps", lambda p, t: {**_MUSIC, "steps": 9}, "steps 9"),
    ("sa2.5 duration", lambda p, t: {**_MUSIC, "duration": 191}, "duration 191"),
    (
        "sa3 duration",
        lambda p, t: {**_MUSIC, "model": "stable-audio-3", "duration": 381},
        "duration 381",
    ),
    (
        "sa2.5 strength",
        lambda p, t: {**_MUSIC, "reference": str(t()), "strength": 0.005},
        "strength 0.005",
    ),
    (
        "cfg_scale above 25",
        lambda p, t: {**_MUSIC, "cfg_scale": 26},
        "cfg_scale 26 is out of range for stable-audio-2.5; use 1–25",
    ),
    (
        "sa2.5 mask_end",
        lambda p, t: {**_MUSIC, "reference": str(t()), "mask_end": 191},
        "mask_end 191",
    ),
    (
        "short reference",
        lambda p, t: {**_MUSIC, "reference": str(t(3))},
        "is 3.0 s long; stable-audio-2.5 takes 6–190 s",
    ),
    (
        "audio output_format",
        lambda p, t: {**_MUSIC, "output_format": "flac"},
        "output_format 'flac'",
    ),
]


@pytest.mark.parametrize(("case", "make", "expected"), CASES, ids=[case[0] for case in CASES])
async def test_bad_requests_fail_in_one_line_before_the_network(
    studio: Studio,
    stability: EmulatorServer,
    picture: Picture,
    tone: Callable[..., Path],
    case: str,
    make: Make,
    expected: str,
) -> None:
    request = {"provider": "stability", **make(picture, tone)}

    with pytest.raises(InvalidRequest) as caught:
        await studio.run(request)

    message = caught.value.message
    assert expected in message
    assert "\n" not in message
    assert len(stability.log) == 0


async def test_files_over_ten_mebibytes_are_refused(
    studio: Studio, stability: EmulatorServer, tmp_path: Path
) -> None:
    big = tmp_path / "noise.png"
    Image.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3)).save(big, compress_level=0)

    with pytest.raises(
        InvalidRequest, match=r"the files add up to 12,0\d\d,\d{3} bytes; .* 10,485,760"
    ):
        await studio.edit("", [big], provider="stability", op="erase")

    assert len(stability.log) == 0
