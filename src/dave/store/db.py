"""One SQLite file in WAL mode: connection, locking, write transactions, applying migrations.

Not for queries about jobs or assets (see jobs.py, assets.py) nor for media files (files.py).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from dave.core.errors import StoreError

from .ids import utc_now
from .migration import Migration, run_script
from .schema import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000

Params = Sequence[Any] | dict[str, Any]


class Row(Protocol):
    """A result row, by column name or position (sqlite3.Row, and the PostgreSQL store's)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store's queries run on inside a transaction."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...


class SqlDatabase(Protocol):
    """A journal database: SQLite (`Database`) or PostgreSQL (`pg.PgDatabase`)."""

    #: "sqlite" or "postgres": the few queries that differ ask.
    dialect: str

    def transaction(self) -> AbstractContextManager[Connection]: ...

    def read(self) -> AbstractContextManager[Connection]: ...

    def query(self, sql: str, params: Params = ()) -> list[Any]: ...

    def query_one(self, sql: str, params: Params = ()) -> Any: ...

    def table_exists(self, name: str) -> bool: ...

    def close(self) -> None: ...


class Database:
    """A SQLite file shared by threads, asyncio code and other dave processes.

    Every write goes through `transaction()`, which starts with `BEGIN IMMEDIATE`: the write lock
    is taken at the start, so a second process waits (up to `busy_timeout`) instead of failing
    with "database is locked" when a read lock cannot be upgraded.
    """

    dialect = "sqlite"

    def __init__(
        self,
        path: Path,
        *,
        migrations: Sequence[Migration] | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._writing = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self.path,
                timeout=busy_timeout_ms / 1000,
                isolation_level=None,  # autocommit: transactions are begun by hand
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the database {self.path}: {error}") from error
        self._conn.row_factory = sqlite3.Row
        try:
            self._configure(busy_timeout_ms)
            self.migrate(MIGRATIONS if migrations is None else migrations)
        except BaseException:
            self.close()
            raise

    def _configure(self, busy_timeout_ms: int) -> None:
        conn = self._connection()
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Switching a fresh file to WAL needs a moment of exclusive access; two processes
        # opening it together can see SQLITE_BUSY here even with a busy timeout. Retry.
        deadline = time.monotonic() + busy_timeout_ms / 1000
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise StoreError(f"database {self.path}: {error}") from error
                if time.monotonic() > deadline:
                    raise StoreError(f"database {self.path} stayed locked: {error}") from error
                time.sleep(0.01)
        self.journal_mode = str(mode).lower()
        conn.execute("PRAGMA synchronous = NORMAL")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the database {self.path} is closed")
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE` … `COMMIT` (or `ROLLBACK` on any exception).

        Nested calls from the same thread join the outer transaction.
        """
        with self._lock:
            conn = self._connection()
            if self._depth and not self._writing:
                raise StoreError("cannot write inside a read(): use transaction() for both")
            if self._depth:
                self._depth += 1
                try:
                    yield conn
                finally:
                    self._depth -= 1
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(f"database {self.path}: cannot start a write: {error}") from error
            self._depth = 1
            self._writing = True
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise StoreError(f"database {self.path}: {error}") from error
                raise
            finally:
                self._depth = 0
                self._writing = False

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads (a deferred transaction that never writes).

        Inside `transaction()` it joins the write transaction instead.
        """
        with self._lock:
            conn = self._connection()
            if self._depth:
                yield conn
                return
            try:
                conn.execute("BEGIN")
                self._depth = 1
                try:
                    yield conn
                finally:
                    self._depth = 0
                    if conn.in_transaction:
                        conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise StoreError(f"database {self.path}: {error}") from error

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of one read."""
        with self._lock:
            try:
                return self._connection().execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise StoreError(f"database {self.path}: {error}") from error

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of one read, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def table_exists(self, name: str) -> bool:
        row = self.query_one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return row is not None

    def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        """Apply the migrations not yet recorded, in order; returns the names applied now.

        The check and the steps share one `BEGIN IMMEDIATE` transaction, so two processes
        opening a new file at once apply each step exactly once.
        """
        names = [m.name for m in migrations]
        if len(set(names)) != len(names):
            raise StoreError(f"duplicate migration names: {names}")
        applied_now: list[str] = []
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations ("
                " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
            for migration in migrations:
                if migration.name in done:
                    continue
                if isinstance(migration.apply, str):
                    run_script(conn, migration.apply)
                else:
                    migration.apply(conn)
                conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, utc_now()),
                )
                applied_now.append(migration.name)
        return applied_now

    def applied_migrations(self) -> list[tuple[str, str]]:
        """(name, applied_at) of every recorded migration, in the order applied."""
        rows = self.query("SELECT name, applied_at FROM migrations ORDER BY applied_at, rowid")
        return [(row[0], row[1]) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def closed(self) -> bool:
        return self._conn is None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"
