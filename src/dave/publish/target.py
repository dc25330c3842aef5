"""What a place to publish to does: name a key for some bytes, find an object already there,
put a file there once, and give a link to a key. Each target (local.py, s3.py) does these.

Not for the journal of publications (publisher.py records them) nor for settings (settings.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

#: Published objects never change: a key names its bytes.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def content_key(prefix: str, sha256: str, ext: str) -> str:
    """`{prefix}{sha256}.{ext}`: the same bytes always get the same key."""
    return f"{prefix}{sha256}.{ext.lstrip('.')}"


@dataclass(frozen=True)
class Placed:
    """An object at a target and the link to it."""

    key: str
    url: str
    #: When the link stops working (a presigned URL); None for a lasting one.
    expires_at: datetime | None
    #: The store's tag for the object's bytes, when it gives one.
    etag: str | None
    #: True when this call sent the bytes; False when they were there already.
    uploaded: bool


class Target(Protocol):
    """A place to publish to."""

    #: `local` or `s3`: what a publication row and `--to` call it.
    name: str

    def key_for(self, sha256: str, ext: str) -> str:
        """The key the bytes with this hash go under."""
        ...

    def find(self, key: str) -> Placed | None:
        """The object at `key` with a fresh link, or None if there is none (nothing sent)."""
        ...

    def put(self, path: Path, key: str, mime: str) -> Placed:
        """Puts the file at `key` unless an object is there already (create-only), streamed
        from disk; gives it and its link."""
        ...

    def link(self, key: str) -> tuple[str, datetime | None]:
        """A fresh link to `key` and when it expires, with nothing sent."""
        ...
