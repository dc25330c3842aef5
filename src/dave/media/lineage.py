"""Which of a request's sources are assets in the library: the links the gallery's lineage
shows (an edit's images, a first frame, the video extended, the image upscaled).

A source is matched by its bytes, so a library file named by its path, a copy of it elsewhere
or the same picture sent as a data: URI all link to the asset first kept with those bytes. Not
for checking sources (sources.py) nor for storing the links (dave.store.lineage).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping

from dave.media.sources import Source
from dave.store.base import AssetCatalog

_CHUNK = 1024 * 1024


def _sha256(source: Source) -> str | None:
    digest = hashlib.sha256()
    if source.kind == "file" and source.path is not None:
        try:
            with source.path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
        except OSError:
            return None
        return digest.hexdigest()
    if source.kind == "data":
        _, _, payload = source.value.partition(",")
        try:
            digest.update(base64.b64decode(payload, validate=False))
        except (binascii.Error, ValueError):
            return None
        return digest.hexdigest()
    return None  # a URL: its bytes are not here


def source_assets(sources: Mapping[str, Source], assets: AssetCatalog) -> list[tuple[str, str]]:
    """(field, asset id) for each source whose bytes the library holds, oldest asset first."""
    links = []
    for field, source in sources.items():
        sha = _sha256(source)
        kept = assets.by_sha256(sha) if sha else []
        if kept:
            links.append((field, kept[0].id))
    return links
