"""The journal on PostgreSQL (`DAVE_DATABASE_URL=postgresql://…`), for a team: many processes
on many machines sharing one journal and one library catalogue.

The same queries as SQLite run here: this adapter turns `?` into psycopg's `%s`, hands out rows
readable by name and position, maps errors to StoreError, and applies PostgreSQL's own schema
(pg_schema.py). Writes take a transaction; reads run in autocommit. Not for the queries (jobs.py,
assets.py, ...) nor for the SQLite file (db.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dave.core.errors import StoreError

from .db import Params
from .ids import utc_now
from .migration import Migration, split_statements

_PLACEHOLDER = re.compile(r"\?")


def shown_url(url: str) -> str:
    """The URL with its password replaced: fit for messages and reprs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _sql(text: str) -> str:
    # The store's SQL has no literal `?` or `%`; parameters carry every value.
    return _PLACEHOLDER.sub("%s", text)


class PgRow(tuple[Any, ...]):
    """A row readable as `row["name"]` and `row[0]`, as sqlite3.Row is."""

    _names: tuple[str, ...]

    def __new__(cls, names: tuple[str, ...], values: Sequence[Any]) -> PgRow:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no column {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any) -> Any:
    names = tuple(column.name for column in cursor.description or ())
    return lambda values: PgRow(names, values)


class _Conn:
    """The connection as the store's queries see it: `execute` and `executemany` with `?`."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self._conn.execute(_sql(sql), parameters or None)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        cursor = self._conn.cursor()
        cursor.executemany(_sql(sql), list(parameters))
        return cursor


class PgDatabase:
    """One PostgreSQL connection shared by this process's threads, behind a lock (as the SQLite
    store shares its file's). Migrations are applied on open, under an advisory lock, so
    processes starting together apply each once."""

    dialect = "postgres"

    def __init__(self, url: str, *, migrations: Sequence[Migration] | None = None) -> None:
        import psycopg

        from .pg_schema import PG_MIGRATIONS

        self.url = url
        self.path = shown_url(url)  # what messages name, as the SQLite store names its file
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._conn: Any = psycopg.connect(url, autocommit=True, row_factory=_row_factory)
        except psycopg.Error as error:
            raise StoreError(f"cannot open the database {self.path}: {_why(error)}") from None
        try:
            self.migrate(PG_MIGRATIONS if migrations is None else migrations)
        except BaseException:
            self.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[_Conn]:
        """One transaction; nested calls join the outer one."""
        import psycopg

        with self._lock:
            conn = self._connection()
            if self._depth:
                self._depth += 1
                try:
                    yield _Conn(conn)
                finally:
                    self._depth -= 1
                return
            self._depth = 1
            try:
                with conn.transaction():
                    yield _Conn(conn)
            except psycopg.Error as error:
                raise StoreError(f"database {self.path}: {_why(error)}") from None
            finally:
                self._depth = 0

    @contextmanager
    def read(self) -> Iterator[_Conn]:
        """Several reads in one snapshot (joins a transaction already open)."""
        with self.transaction() as conn:
            yield conn

    def query(self, sql: str, params: Params = ()) -> list[Any]:
        import psycopg

        with self._lock:
            try:
                rows: list[Any] = self._connection().execute(_sql(sql), params or None).fetchall()
                return rows
            except psycopg.Error as error:
                raise StoreError(f"database {self.path}: {_why(error)}") from None

    def query_one(self, sql: str, params: Params = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def table_exists(self, name: str) -> bool:
        return self.query_one("SELECT to_regclass(?) IS NOT NULL", (name,))[0] is True

    def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        applied_now: list[str] = []
        with self.transaction() as conn:
            # One process at a time past here; the lock ends with the transaction.
            conn.execute("SELECT pg_advisory_xact_lock(7415420)")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations ("
                " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM migrations").fetchall()}
            for migration in migrations:
                if migration.name in done:
                    continue
                if not isinstance(migration.apply, str):
                    raise StoreError(f"migration {migration.name} must be SQL for PostgreSQL")
                for statement in split_statements(migration.apply):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, utc_now()),
                )
                applied_now.append(migration.name)
        return applied_now

    def applied_migrations(self) -> list[tuple[str, str]]:
        rows = self.query("SELECT name, applied_at FROM migrations ORDER BY applied_at, name")
        return [(row[0], row[1]) for row in rows]

    def listen(self, channel: str, on_notify: Callable[[], None]) -> Callable[[], None]:
        """Calls `on_notify` (from a thread of its own, with a connection of its own) on each
        notification on `channel`; returns the function that stops listening."""
        import psycopg

        stopped = threading.Event()
        conn = psycopg.connect(self.url, autocommit=True)
        conn.execute(f"LISTEN {channel}")

        def listening() -> None:
            try:
                while not stopped.is_set():
                    for _ in conn.notifies(timeout=0.5):
                        on_notify()
            except psycopg.Error:
                pass  # the connection went away: the worker's poll is the backstop
            finally:
                conn.close()

        thread = threading.Thread(target=listening, name=f"dave-listen-{channel}", daemon=True)
        thread.start()

        def stop() -> None:
            stopped.set()
            thread.join(5)

        return stop

    def _connection(self) -> Any:
        if self._conn is None:
            raise StoreError(f"the database {self.path} is closed")
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def closed(self) -> bool:
        return self._conn is None

    def __enter__(self) -> PgDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PgDatabase({self.path!r})"


def _why(error: Exception) -> str:
    # psycopg messages may quote the connection string: never let a password through.
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return re.sub(r"password=\S+", "password=***", text)
