"""Lineage: which library assets each job was made from, and so what each asset was made from
and what was made from it.

Not for deciding which sources are library assets (the Studio matches their bytes) nor for the
assets themselves (assets.py).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from .assets import COLUMNS, Asset, row_to_asset
from .db import SqlDatabase

_A_COLUMNS = ", ".join(f"a.{name.strip()}" for name in COLUMNS.split(","))


class LineageStore:
    """Job → source asset links in a SQLite `Database`."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def link(self, job_id: str, sources: Iterable[tuple[str, str]]) -> None:
        """Records that `job_id` was made from each (field, asset id); linking twice is a no-op."""
        rows = [(job_id, field, asset_id) for field, asset_id in sources]
        if not rows:
            return
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO job_sources (job_id, field, asset_id) VALUES (?, ?, ?)"
                " ON CONFLICT (job_id, field) DO NOTHING",
                rows,
            )

    def of_job(self, job_id: str) -> builtins.list[tuple[str, Asset]]:
        """(field, asset) for each library asset the job was made from, in field order."""
        rows = self.db.query(
            f"SELECT s.field AS field, {_A_COLUMNS} FROM job_sources AS s"
            " JOIN assets AS a ON a.id = s.asset_id WHERE s.job_id = ? ORDER BY s.field",
            (job_id,),
        )
        return [(row["field"], row_to_asset(row)) for row in rows]

    def sources_of(self, asset: Asset) -> builtins.list[tuple[str, Asset]]:
        """What this asset was made from: (field, asset) of its job's sources."""
        return self.of_job(asset.job_id) if asset.job_id is not None else []

    def derived_from(self, asset_id: str, limit: int = 200) -> builtins.list[Asset]:
        """Assets made by jobs that took this one as a source, newest first."""
        rows = self.db.query(
            f"SELECT DISTINCT {_A_COLUMNS}, a.seq FROM job_sources AS s"
            " JOIN assets AS a ON a.job_id = s.job_id WHERE s.asset_id = ?"
            " ORDER BY a.seq DESC LIMIT ?",
            (asset_id, int(limit)),
        )
        return [row_to_asset(row) for row in rows]
