"""What a named migration is, and how its SQL runs inside an open transaction.

Shared by db.py (which applies migrations) and schema.py (which lists dave's own). Not for the
list of tables (schema.py) nor for opening or locking the file (db.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from dave.core.errors import StoreError


@dataclass(frozen=True)
class Migration:
    """One named step of the schema: SQL (one or more statements) or a function of the connection.

    A function runs inside the migration's transaction; it must not commit.
    """

    name: str
    apply: str | Callable[[sqlite3.Connection], None]


def split_statements(script: str) -> list[str]:
    """A script as single statements (trigger bodies keep their inner `;`)."""
    statements: list[str] = []
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        raise StoreError(f"incomplete SQL statement in migration: {buffer.strip()[:80]!r}")
    return statements


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run a multi-statement script inside the open transaction (unlike `executescript`)."""
    for statement in split_statements(script):
        conn.execute(statement)
