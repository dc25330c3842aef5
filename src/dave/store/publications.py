"""Where assets are published: one row per (asset, target) with its key, link and expiry.

Not for sending files anywhere (dave.publish does) nor for the assets themselves (assets.py).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

from .db import Row, SqlDatabase
from .ids import utc_now


@dataclass(frozen=True)
class Publication:
    asset_id: str
    target: str
    key: str
    url: str
    #: ISO-8601 UTC; None for a link that lasts.
    expires_at: str | None
    etag: str | None
    published_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "asset_id": self.asset_id,
            "target": self.target,
            "key": self.key,
            "url": self.url,
            "expires_at": self.expires_at,
            "etag": self.etag,
            "published_at": self.published_at,
        }


_COLUMNS = "asset_id, target, key, url, expires_at, etag, published_at"


def _row(row: Row) -> Publication:
    return Publication(*(row[name.strip()] for name in _COLUMNS.split(",")))


class PublicationStore:
    """Publications in a SQLite `Database`."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def record(
        self,
        asset_id: str,
        target: str,
        key: str,
        url: str,
        *,
        expires_at: str | None,
        etag: str | None,
    ) -> Publication:
        """Record (or renew) the asset's publication at `target`."""
        values = (asset_id, target, key, url, expires_at, etag, utc_now())
        with self.db.transaction() as conn:
            conn.execute(
                f"INSERT INTO publications ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (asset_id, target) DO UPDATE SET key = excluded.key,"
                " url = excluded.url, expires_at = excluded.expires_at,"
                " etag = COALESCE(excluded.etag, publications.etag),"
                " published_at = excluded.published_at",
                values,
            )
        found = self.get(asset_id, target)
        assert found is not None  # just written, in this transaction's wake
        return found

    def get(self, asset_id: str, target: str) -> Publication | None:
        row = self.db.query_one(
            f"SELECT {_COLUMNS} FROM publications WHERE asset_id = ? AND target = ?",
            (asset_id, target),
        )
        return _row(row) if row is not None else None

    def for_asset(self, asset_id: str) -> builtins.list[Publication]:
        """The asset's publications, by target."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM publications WHERE asset_id = ? ORDER BY target",
            (asset_id,),
        )
        return [_row(row) for row in rows]
