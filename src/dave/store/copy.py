"""Moving a local library's journal (dave.db) into a team store on PostgreSQL: jobs with their
events, assets, lineage, publications and agent sessions with their messages.

Resumable: each job (with its events), asset and session goes in one transaction and is skipped
when the target already holds it, so a copy stopped half-way is finished by running it again.
Verified: an asset's row is copied only if its file is in the media folder with the sha256 the
row names, and, for a team library in S3, only once the file is uploaded there. Refused while a
local job is unfinished: two journals must never both run it (that could pay for it twice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dave.core.errors import InvalidRequest

from .db import Connection, SqlDatabase

_CHUNK = 1024 * 1024


@dataclass
class CopyReport:
    """What a copy did: rows copied now, rows the target held already, and assets left out."""

    copied: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    bad_files: list[str] = field(default_factory=list)

    def count(self, table: str, inserted: bool) -> None:
        tally = self.copied if inserted else self.present
        tally[table] = tally.get(table, 0) + 1

    def line(self) -> str:
        made = ", ".join(f"{n} {t}" for t, n in self.copied.items()) or "nothing new"
        had = sum(self.present.values())
        bad = f"; {len(self.bad_files)} asset(s) left out: file missing or changed" if (
            self.bad_files) else ""  # fmt: skip
        return f"copied {made}; {had} already there{bad}"


def _columns(db: SqlDatabase, table: str, skip: tuple[str, ...] = ()) -> list[str]:
    row = db.query_one(f"SELECT * FROM {table} LIMIT 1")
    if row is None:
        return []
    return [name for name in row.keys() if name not in skip]  # noqa: SIM118 (a row iterates values)


def _insert(conn: Connection, table: str, row: Any, columns: list[str], key: str) -> bool:
    values = [row[name] for name in columns]
    cursor = conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        f" ON CONFLICT ({key}) DO NOTHING",
        values,
    )
    return cursor.rowcount == 1


def _file_matches(path: Path, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha256


def copy_journal(
    source: SqlDatabase,
    target: SqlDatabase,
    media_root: Path,
    *,
    upload: Callable[[Path], object] | None = None,
    on_progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copies everything in `source` that `target` lacks (see the module's notes); `upload`
    puts an asset's verified file into the team's media library before its row goes in."""
    unfinished = source.query(
        "SELECT id FROM jobs WHERE state IN ('queued', 'created', 'submitting', 'submitted',"
        " 'downloading') ORDER BY created_at LIMIT 3"
    )
    if unfinished:
        named = ", ".join(row[0] for row in unfinished)
        raise InvalidRequest(
            f"the local journal has unfinished jobs ({named}); both journals would run them",
            hint="finish them first (`dave jobs resume`) or cancel them (`dave jobs cancel ID`)",
        )
    report = CopyReport()
    # Integer keys (event and message ids, asset seq) are the target's own to give.
    job_columns = _columns(source, "jobs")
    event_columns = _columns(source, "job_events", ("id",))
    for job in source.query(
        f"SELECT {', '.join(job_columns) or '*'} FROM jobs ORDER BY created_at"
    ):
        with target.transaction() as conn:
            inserted = _insert(conn, "jobs", job, job_columns, "id")
            if inserted:
                for event in source.query(
                    f"SELECT {', '.join(event_columns)} FROM job_events WHERE job_id = ?"
                    " ORDER BY id", (job["id"],),
                ):  # fmt: skip
                    _insert(conn, "job_events", event, event_columns, "id")
        report.count("jobs", inserted)
        if on_progress:
            on_progress("jobs", sum(report.copied.values()))
    asset_columns = _columns(source, "assets", ("seq",))
    for asset in source.query(f"SELECT {', '.join(asset_columns) or '*'} FROM assets ORDER BY seq"):
        path = media_root / asset["path"]
        if not _file_matches(path, asset["sha256"]):
            report.bad_files.append(asset["id"])
            continue
        if upload is not None:
            upload(path)
        with target.transaction() as conn:
            report.count("assets", _insert(conn, "assets", asset, asset_columns, "id"))
    for table, key in (("job_sources", "job_id, field"), ("publications", "asset_id, target")):
        columns = _columns(source, table)
        for row in source.query(f"SELECT {', '.join(columns) or '*'} FROM {table}"):
            if row["asset_id"] in report.bad_files:  # its asset was left out
                continue
            with target.transaction() as conn:
                report.count(table, _insert(conn, table, row, columns, key))
    session_columns = _columns(source, "sessions")
    message_columns = _columns(source, "messages", ("id",))
    # Sessions point at their parents: oldest first, so a parent goes in before its child.
    for session in source.query(
        f"SELECT {', '.join(session_columns) or '*'} FROM sessions ORDER BY created_at"
    ):
        with target.transaction() as conn:
            inserted = _insert(conn, "sessions", session, session_columns, "id")
            if inserted:
                for message in source.query(
                    f"SELECT {', '.join(message_columns)} FROM messages WHERE session_id = ?"
                    " ORDER BY seq", (session["id"],),
                ):  # fmt: skip
                    _insert(conn, "messages", message, message_columns, "session_id, seq")
        report.count("sessions", inserted)
    return report
