"""Publishing an asset: find its publication, or its object at the target, or upload it; then
record it. A crash between the upload and the record loses nothing: the next publish finds the
object and records it. A lasting link, or one not yet expired, is returned with nothing sent.

Not for how a target stores bytes (local.py, s3.py) nor for choosing one (settings.py).
"""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from dave.core.errors import DaveError
from dave.publish.target import Placed, Target
from dave.store import Publication, Store

#: A link with less left than this is renewed rather than handed out.
RENEW_MARGIN = timedelta(minutes=5)


class Publisher:
    """Publishes a store's assets to one target."""

    def __init__(self, store: Store, target: Target) -> None:
        self.store = store
        self.target = target

    def publish(self, asset_id: str, *, now: datetime | None = None) -> Publication:
        """The asset's publication at this target, uploading only what is not there yet."""
        asset = self.store.assets.get(asset_id)  # NotFound names the id
        now = now or datetime.now(UTC)
        row = self.store.publications.get(asset.id, self.target.name)
        if row is not None and _fresh(row.expires_at, now):
            return row
        if row is not None:  # an expired link: renew it, the object is there
            url, expires = self.target.link(row.key)
            placed = Placed(row.key, url, expires, row.etag, uploaded=False)
        else:
            ext = PurePosixPath(asset.path).suffix
            key = self.target.key_for(asset.sha256, ext)
            placed = self.target.find(key) or self._upload(asset.path, key, asset.mime, ext)
        return self.store.publications.record(
            asset.id,
            self.target.name,
            placed.key,
            placed.url,
            expires_at=placed.expires_at.isoformat() if placed.expires_at else None,
            etag=placed.etag,
        )

    def _upload(self, rel: str, key: str, mime: str | None, ext: str) -> Placed:
        path = self.store.media.fetch(rel)
        if not path.is_file():
            raise DaveError(
                f"the asset's file is missing from the library: {path}",
                hint="nothing was published",
            )
        kind = mime or mimetypes.types_map.get(ext.lower(), "application/octet-stream")
        return self.target.put(path, key, kind)


def _fresh(expires_at: str | None, now: datetime) -> bool:
    if expires_at is None:
        return True
    return datetime.fromisoformat(expires_at) - now > RENEW_MARGIN
