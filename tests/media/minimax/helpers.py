"""Readers for what the MiniMax tests find on disk: media probes and asset paths."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import av
from PIL import Image

from dave import Studio


def probe(path: Path) -> dict[str, Any]:
    """What PyAV sees in a media file: its streams' sizes and its length."""
    with av.open(str(path)) as container:
        info: dict[str, Any] = {"duration": (container.duration or 0) / 1_000_000}
        if container.streams.video:
            stream = container.streams.video[0]
            info["codec"] = stream.codec_context.name
            info["size"] = (stream.codec_context.width, stream.codec_context.height)
        if container.streams.audio:
            info["sample_rate"] = container.streams.audio[0].codec_context.sample_rate
        return info


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        image.load()
        return image.size


def paths(studio: Studio, result: Any) -> list[Path]:
    return [studio.store.media.root / asset.path for asset in result.assets]
