"""Small pictures of library images: a JPEG of at most so many pixels on its longer side and,
if asked, under so many bytes.

Not for checking files (verify.py) nor for serving them (the doors).
"""

from __future__ import annotations

import io
from pathlib import Path


def jpeg(path: Path, longest: int, max_bytes: int | None = None) -> bytes | None:
    """A JPEG of the image (under `max_bytes` if given, lowering quality to fit); None if the
    file is not an image Pillow reads, or it cannot be made small enough."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale: a few times less work.
            image.draft("RGB", (longest, longest))
            image.thumbnail((longest, longest))
            shown = image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    for quality in (85, 70, 50, 30):
        out = io.BytesIO()
        shown.save(out, format="JPEG", quality=quality)
        if max_bytes is None or out.tell() <= max_bytes:
            return out.getvalue()
    return None
