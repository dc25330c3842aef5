"""The emulator's server-side state: what a job id or a file name stands for, kept in one SQLite
table (key → JSON value, kind, created time). With a file, every emulator process on that file
sees the same jobs, so a job submitted by one process is polled by another (`dave jobs resume
--offline` after a crash); without one it lives in memory, for a test's server. Not the journal
(dave.store): the emulator's own bookkeeping, as a provider keeps its own."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Another process may hold the write lock for a moment; wait for it rather than fail.
BUSY_TIMEOUT_S = 5.0
# Rows older than this are dropped when a file is opened, so the file does not grow forever;
# far longer than any result URL or job an emulator hands out lives.
KEEP_S = 7 * 24 * 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS emulator_state (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""


class EmulatorState:
    """Models saved under (kind, key). Thread-safe: handlers run on the event loop, the ASGI
    transport's caller or worker threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            self._memory.execute(_SCHEMA)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.execute("DELETE FROM emulator_state WHERE created < ?", (time.time() - KEEP_S,))
            db.commit()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            yield self._memory
            return
        # A connection per call for a file: nothing stays open between requests, and any
        # thread or process may use the file.
        assert self.path is not None
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            db.execute("PRAGMA synchronous=NORMAL")  # safe against a crash in WAL mode
            yield db
        finally:
            db.close()

    def save(self, kind: str, key: str, value: BaseModel) -> None:
        row = (key, kind, value.model_dump_json(exclude_none=True), time.time())
        with self._lock, self._connect() as db:
            db.execute("INSERT OR REPLACE INTO emulator_state VALUES (?, ?, ?, ?)", row)
            db.commit()

    def load(self, kind: str, key: str, model: type[M]) -> M | None:
        """The model saved under (kind, key), or None for a key this state never saw."""
        with self._lock, self._connect() as db:
            found = db.execute(
                "SELECT value FROM emulator_state WHERE key = ? AND kind = ?", (key, kind)
            ).fetchone()
        if found is None:
            return None
        try:
            return model.model_validate_json(found[0])
        except ValidationError:  # a row written by an older emulator: unknown, like any other
            return None

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
