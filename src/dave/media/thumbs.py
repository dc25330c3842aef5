"""Small pictures of library files: a JPEG of an image, or of a video's poster frame, at most
so many pixels on its longer side; made once per (asset, width) and kept beside the library.

Not for checking files (verify.py) nor for serving them (the doors).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage

#: Widths a door may ask for; others are rounded up to the next, so the cache stays small.
WIDTHS = (128, 256, 512, 1024)


def picture(path: Path, kind: str, longest: int) -> PILImage.Image | None:
    """The file as an RGB picture no larger than `longest` px; None if it has no picture."""
    if kind == "image":
        return _image(path, longest)
    if kind == "video":
        return _poster(path, longest)
    return None


def jpeg(path: Path, kind: str, longest: int, max_bytes: int | None = None) -> bytes | None:
    """A JPEG of the file (under `max_bytes` if given, lowering quality to fit); None if the
    file has no picture or it cannot be made small enough."""
    shown = picture(path, kind, longest)
    if shown is None:
        return None
    for quality in (85, 70, 50, 30):
        out = io.BytesIO()
        shown.save(out, format="JPEG", quality=quality)
        if max_bytes is None or out.tell() <= max_bytes:
            return out.getvalue()
    return None


def width_for(asked: int | None) -> int:
    """The cached width that serves a request for `asked` px."""
    if asked is None:
        return WIDTHS[1]
    return next((width for width in WIDTHS if width >= asked), WIDTHS[-1])


class ThumbCache:
    """JPEGs under `root`, named by the file's sha256 and width: the same bytes, one thumb."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, path: Path, sha256: str, kind: str, asked: int | None) -> Path | None:
        width = width_for(asked)
        kept = self.root / sha256[:2] / f"{sha256}-{width}.jpg"
        if kept.exists():
            return kept
        data = jpeg(path, kind, width)
        if data is None:
            return None
        kept.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: two requests for a new thumb never see half of one.
        handle, temp = tempfile.mkstemp(dir=kept.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, kept)
        return kept


def _image(path: Path, longest: int) -> PILImage.Image | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale: a few times less work.
            image.draft("RGB", (longest, longest))
            image.thumbnail((longest, longest))
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def _poster(path: Path, longest: int) -> PILImage.Image | None:
    import av

    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                # PyAV types to_image loosely; it is a Pillow image.
                image: PILImage.Image = frame.to_image()  # type: ignore[no-untyped-call]
                image.thumbnail((longest, longest))
                return image.convert("RGB")
    except (OSError, av.FFmpegError, ValueError):
        return None
    return None
