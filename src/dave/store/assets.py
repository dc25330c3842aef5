"""The media library's catalogue: one row per kept file, with its prompt, shape and origin.

Not for the files themselves (files.py keeps those) nor for the job journal (jobs.py).
"""

from __future__ import annotations

import builtins
import json
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from dave.core.errors import InvalidRequest

from .db import Row, SqlDatabase
from .ids import new_id, utc_now
from .jobs import dump_json, resolve_id

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Asset:
    id: str
    job_id: str | None
    index: int  # position within the job's outputs
    provider: str | None
    kind: str  # image, video, audio
    path: str  # relative to the media root, '/'-separated
    sha256: str
    mime: str | None
    bytes: int
    width: int | None
    height: int | None
    duration_s: float | None
    prompt: str | None
    params: dict[str, Any] | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (for `--json` output)."""
        return {
            "id": self.id,
            "job_id": self.job_id,
            "index": self.index,
            "provider": self.provider,
            "kind": self.kind,
            "path": self.path,
            "sha256": self.sha256,
            "mime": self.mime,
            "bytes": self.bytes,
            "width": self.width,
            "height": self.height,
            "duration_s": self.duration_s,
            "prompt": self.prompt,
            "params": self.params,
            "created_at": self.created_at,
        }


COLUMNS = (
    "id, job_id, output_index, provider, kind, path, sha256, mime, bytes, width, height,"
    " duration_s, prompt, params_json, created_at"
)


def row_to_asset(row: Row) -> Asset:
    return Asset(
        id=row["id"],
        job_id=row["job_id"],
        index=row["output_index"],
        provider=row["provider"],
        kind=row["kind"],
        path=row["path"],
        sha256=row["sha256"],
        mime=row["mime"],
        bytes=row["bytes"],
        width=row["width"],
        height=row["height"],
        duration_s=row["duration_s"],
        prompt=row["prompt"],
        params=json.loads(row["params_json"]) if row["params_json"] is not None else None,
        created_at=row["created_at"],
    )


@dataclass(frozen=True)
class AssetPage:
    """One page of assets, newest first, and the cursor of the next (None at the end)."""

    assets: builtins.list[Asset]
    next_cursor: str | None


def _cursor_seq(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise InvalidRequest(f"not a page cursor: {cursor[:40]!r}")
    return int(cursor)


def search_words(text: str) -> builtins.list[str]:
    """The words of a search, as the index sees them."""
    return _WORD.findall(text)


def fts_query(words: builtins.list[str]) -> str:
    """Every word, each as a prefix (`red fo` finds "a red fox"); user text is never FTS syntax."""
    return " ".join(f'"{word}"*' for word in words)


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class AssetStore:
    """Assets in a SQLite `Database` or on PostgreSQL.

    On SQLite `fts` chooses the search: None (default) uses the FTS5 index when the database
    has one and LIKE otherwise; False forces LIKE. PostgreSQL searches each prompt's tsvector.
    """

    def __init__(self, db: SqlDatabase, *, fts: bool | None = None) -> None:
        self.db = db
        has_index = db.table_exists("assets_fts")
        self.fts = has_index if fts is None else (fts and has_index)

    def add(
        self,
        *,
        kind: str,
        path: str | PurePath,
        sha256: str,
        bytes: int,
        job_id: str | None = None,
        index: int = 0,
        provider: str | None = None,
        mime: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration_s: float | None = None,
        prompt: str | None = None,
        params: dict[str, Any] | None = None,
        created_at: str | None = None,
    ) -> Asset:
        """Record a kept file. Idempotent for a job's output: a second `add` with the same
        (job_id, index) changes nothing and returns the row already there."""
        rel = path.as_posix() if isinstance(path, PurePath) else str(path)
        asset_id = new_id("a")
        values = (
            asset_id,
            job_id,
            int(index),
            provider,
            kind,
            rel,
            sha256.lower(),
            mime,
            int(bytes),
            width,
            height,
            duration_s,
            prompt,
            dump_json(params) if params is not None else None,
            created_at or utc_now(),
        )
        with self.db.transaction() as conn:
            cursor = conn.execute(
                f"INSERT INTO assets ({COLUMNS}) VALUES ({', '.join('?' * len(values))})"
                " ON CONFLICT (job_id, output_index) DO NOTHING",
                values,
            )
            if cursor.rowcount == 1:
                row = conn.execute(
                    f"SELECT {COLUMNS} FROM assets WHERE id = ?", (asset_id,)
                ).fetchone()
            else:
                row = conn.execute(
                    f"SELECT {COLUMNS} FROM assets WHERE job_id = ? AND output_index = ?",
                    (job_id, int(index)),
                ).fetchone()
        return row_to_asset(row)

    def get(self, asset_id: str) -> Asset:
        """The asset with this id or unique id prefix; NotFound otherwise."""
        with self.db.read() as conn:
            full_id = resolve_id(conn, "assets", "a", "asset", asset_id)
            row = conn.execute(f"SELECT {COLUMNS} FROM assets WHERE id = ?", (full_id,)).fetchone()
        return row_to_asset(row)

    def list(
        self, limit: int = 50, offset: int = 0, kind: str | None = None, *, published: bool = False
    ) -> builtins.list[Asset]:
        """Assets newest first, optionally of one kind, or only those published somewhere."""
        clauses, params = [], []
        if kind is not None:
            clauses, params = ["kind = ?"], [kind]
        if published:
            clauses.append("id IN (SELECT asset_id FROM publications)")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.query(
            f"SELECT {COLUMNS} FROM assets {where} ORDER BY created_at DESC, seq DESC"
            " LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )
        return [row_to_asset(row) for row in rows]

    def search(self, text: str, limit: int = 50) -> builtins.list[Asset]:
        """Assets whose prompt has every word of `text` (as a word prefix, any case), newest
        first. Empty or punctuation-only text finds nothing."""
        if not search_words(text):
            return []
        return self.page(q=text, limit=limit).assets

    def page(
        self,
        *,
        q: str | None = None,
        provider: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        before: str | None = None,
        cursor: str | None = None,
        limit: int = 60,
    ) -> AssetPage:
        """A page of assets newest first (by the order they were kept), narrowed by the words of
        `q` (as `search` reads them), provider, kind and `since <= created_at < before`;
        `cursor` is a previous page's `next_cursor`. Keyset paging: every page costs the same,
        however deep."""
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        after = _cursor_seq(cursor)
        for clause, value in (
            ("a.provider = ?", provider),
            ("a.kind = ?", kind),
            ("a.created_at >= ?", since),
            ("a.created_at < ?", before),
            ("a.seq < ?", after),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        words = search_words(q or "")
        if q and not words:
            return AssetPage([], None)
        columns = ", ".join(f"a.{name.strip()}" for name in COLUMNS.split(","))
        if words and self.db.dialect == "postgres":
            source = "assets AS a"
            clauses.insert(0, "a.prompt_tsv @@ to_tsquery('simple', ?)")
            params.insert(0, " & ".join(f"'{word.lower()}':*" for word in words))
            order = "a.seq DESC"
        elif words and self.fts:
            source = "assets_fts JOIN assets AS a ON a.seq = assets_fts.rowid"
            clauses.insert(0, "assets_fts MATCH ?")
            params.insert(0, fts_query(words))
            order = "assets_fts.rowid DESC"
        else:
            source = "assets AS a"
            for word in words:
                clauses.append("a.prompt LIKE ? ESCAPE '\\'")
                params.append(f"%{_like_escape(word)}%")
            order = "a.seq DESC"
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        limit = max(1, int(limit))
        rows = self.db.query(
            f"SELECT a.seq AS seq, {columns} FROM {source} {where} ORDER BY {order} LIMIT ?",
            [*params, limit + 1],
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = str(rows[-1]["seq"]) if more and rows else None
        return AssetPage([row_to_asset(row) for row in rows], next_cursor)

    def added_since(self, seq: int, limit: int = 100) -> builtins.list[tuple[int, Asset]]:
        """(seq, asset) kept after `seq`, oldest first: a change feed any process can follow."""
        rows = self.db.query(
            f"SELECT seq, {COLUMNS} FROM assets WHERE seq > ? ORDER BY seq LIMIT ?",
            (int(seq), int(limit)),
        )
        return [(int(row["seq"]), row_to_asset(row)) for row in rows]

    def last_seq(self) -> int:
        """The newest asset's seq (0 for an empty library): where a change feed starts."""
        row = self.db.query_one("SELECT max(seq) FROM assets")
        return int(row[0]) if row and row[0] is not None else 0

    def for_job(self, job_id: str) -> builtins.list[Asset]:
        """A job's assets in output order (the full job id)."""
        rows = self.db.query(
            f"SELECT {COLUMNS} FROM assets WHERE job_id = ? ORDER BY output_index", (job_id,)
        )
        return [row_to_asset(row) for row in rows]

    def by_sha256(self, sha256: str) -> builtins.list[Asset]:
        """Every asset with these bytes (several jobs may make the same), oldest first."""
        rows = self.db.query(
            f"SELECT {COLUMNS} FROM assets WHERE sha256 = ? ORDER BY seq", (sha256.lower(),)
        )
        return [row_to_asset(row) for row in rows]

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            row = self.db.query_one("SELECT count(*) FROM assets")
        else:
            row = self.db.query_one("SELECT count(*) FROM assets WHERE kind = ?", (kind,))
        return int(row[0]) if row else 0
