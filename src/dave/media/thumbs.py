"""Small pictures of library media: a JPEG of at most so many pixels on its longer side (and,
if asked, under so many bytes) of an image or of a video's first frame, and a cache of them on
disk.

Not for checking files (verify.py) nor for serving them (the doors).
"""

from __future__ import annotations

import io
import os
import threading
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


def poster(path: Path, longest: int) -> bytes | None:
    """A JPEG of a video's first frame (its poster), or None if PyAV cannot read one."""
    import av
    from PIL import Image

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            frame = next(container.decode(stream), None)
            if frame is None:
                return None
            image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    except (av.FFmpegError, OSError, IndexError, ValueError):
        return None
    image.thumbnail((longest, longest))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


class ThumbCache:
    """Thumbnails made once and kept on disk as `<root>/<sha256[:2]>/<sha256>-<width>.jpg`:
    an asset's bytes never change, so neither does its thumbnail."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str, width: int) -> Path:
        return self.root / sha256[:2] / f"{sha256}-{width}.jpg"

    def get(self, source: Path, sha256: str, kind: str, width: int) -> Path | None:
        """The thumbnail's path, made now if it is not kept yet; None for media with no picture
        (audio) or a file that cannot be read. Blocking: call it in a thread."""
        kept = self.path_for(sha256, width)
        if kept.is_file():
            return kept
        if kind == "image":
            data = jpeg(source, width)
        elif kind == "video":
            data = poster(source, width)
        else:
            return None
        if data is None:
            return None
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f".{kept.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_bytes(data)
        os.replace(partial, kept)  # readers see all of it or none
        return kept
