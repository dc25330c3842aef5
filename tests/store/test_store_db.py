"""The database file: pragmas, write transactions and named migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dave.core.errors import StoreError
from dave.store import Database, Migration
from dave.store.migration import split_statements
from dave.store.schema import MIGRATIONS


def _count(db: Database, sql: str) -> int:
    row = db.query_one(sql)
    assert row is not None
    return int(row[0])


def test_opening_creates_parent_folders_and_a_wal_file_with_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "dave.db"
    with Database(path) as db:
        assert path.is_file()
        assert db.journal_mode == "wal"
        assert db.query_one("PRAGMA journal_mode")[0] == "wal"
        assert db.query_one("PRAGMA foreign_keys")[0] == 1
        assert db.query_one("PRAGMA busy_timeout")[0] == 30000
        assert db.query_one("PRAGMA synchronous")[0] == 1  # NORMAL
        for table in ("jobs", "job_events", "assets", "migrations"):
            assert db.table_exists(table), table
        assert [name for name, _ in db.applied_migrations()] == [m.name for m in MIGRATIONS]


def test_migrations_are_recorded_once_and_reopening_applies_nothing(tmp_path: Path) -> None:
    calls: list[str] = []

    def add_column(conn: sqlite3.Connection) -> None:
        calls.append("ran")
        conn.execute("ALTER TABLE notes ADD COLUMN author TEXT")

    steps = [
        Migration("001_notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"),
        Migration("002_author", add_column),
    ]
    path = tmp_path / "m.db"
    db = Database(path, migrations=steps)
    assert [n for n, _ in db.applied_migrations()] == ["001_notes", "002_author"]
    assert db.migrate(steps) == []
    db.close()

    with Database(path, migrations=steps) as again:
        assert _count(again, "SELECT count(*) FROM migrations") == 2
        assert calls == ["ran"]
        # A later migration appended to the list is the only one that runs.
        later = [*steps, Migration("003_index", "CREATE INDEX notes_body ON notes (body)")]
        assert again.migrate(later) == ["003_index"]
        assert [n for n, _ in again.applied_migrations()] == [
            "001_notes",
            "002_author",
            "003_index",
        ]


def test_a_failing_migration_leaves_nothing_half_applied(tmp_path: Path) -> None:
    steps = [
        Migration("001_ok", "CREATE TABLE ok (x INTEGER)"),
        Migration("002_bad", "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);"),
    ]
    with pytest.raises(StoreError, match="nowhere"):
        Database(tmp_path / "bad.db", migrations=steps)
    with Database(tmp_path / "bad.db", migrations=[]) as db:
        assert not db.table_exists("ok")
        assert not db.table_exists("half")
        assert db.applied_migrations() == []


def test_duplicate_migration_names_are_refused(tmp_path: Path) -> None:
    steps = [Migration("001", "SELECT 1"), Migration("001", "SELECT 2")]
    with pytest.raises(StoreError, match="duplicate"):
        Database(tmp_path / "dup.db", migrations=steps)


def test_split_statements_keeps_trigger_bodies_whole() -> None:
    script = """
    CREATE TABLE t (x);
    CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;
    INSERT INTO t VALUES ('a;b');
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    assert statements[2] == "INSERT INTO t VALUES ('a;b');"


def test_a_transaction_rolls_back_when_its_block_raises(tmp_path: Path) -> None:
    with Database(tmp_path / "t.db", migrations=[Migration("1", "CREATE TABLE t (x)")]) as db:
        with pytest.raises(RuntimeError), db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
        with db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            with db.transaction() as inner:  # joins the outer one
                inner.execute("INSERT INTO t VALUES (3)")
        assert [r[0] for r in db.query("SELECT x FROM t ORDER BY x")] == [2, 3]


def test_sqlite_errors_surface_as_store_errors(tmp_path: Path) -> None:
    with Database(tmp_path / "e.db") as db:
        with pytest.raises(StoreError, match="no such table"):
            db.query("SELECT * FROM missing_table")
        with pytest.raises(StoreError, match="FOREIGN KEY"), db.transaction() as conn:
            conn.execute(
                "INSERT INTO job_events (job_id, at, state) VALUES ('j_missing', 'now', 'done')"
            )
        with pytest.raises(StoreError, match="inside a read"), db.read(), db.transaction():
            pass


def test_a_closed_database_says_so(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.db")
    db.close()
    db.close()
    assert db.closed
    with pytest.raises(StoreError, match="closed"):
        db.query("SELECT 1")
