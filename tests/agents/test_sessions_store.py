"""The session store: sessions and their messages in SQLite, read back by another connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from dave.core.errors import NotFound
from dave.store.db import Database
from dave.store.sessions import SessionStore


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "dave.db")
    yield database
    database.close()


def test_the_sessions_migration_is_recorded(db: Database) -> None:
    assert "003_sessions" in [name for name, _ in db.applied_migrations()]
    assert db.table_exists("sessions") and db.table_exists("messages")


def test_messages_come_back_in_order_in_the_wire_form(db: Database, tmp_path: Path) -> None:
    store = SessionStore(db)
    session = store.create("code", title="fix it")
    call = {"id": "c1", "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
    store.add_message(session.id, {"role": "system", "content": "sys"})
    store.add_message(session.id, {"role": "user", "content": "hi"})
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    store.add_message(
        session.id,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        usage=usage,
        cost_usd=0.25,
    )
    seq = store.add_message(
        session.id, {"role": "tool", "tool_call_id": "c1", "name": "read_file", "content": "x"}
    )
    assert seq == 3

    with Database(tmp_path / "dave.db") as other:  # what another process would see
        again = SessionStore(other)
        messages = again.messages(session.id)
        kept = again.get(session.id[:10])
    assert [m.to_openai() for m in messages] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "content": "x", "tool_call_id": "c1"},
    ]
    assert messages[3].name == "read_file" and messages[2].usage == usage
    assert (kept.prompt_tokens, kept.completion_tokens, kept.cost_usd) == (10, 5, 0.25)
    assert kept.message_count == 4 and kept.title == "fix it"


def test_sessions_list_the_most_recently_used_first(db: Database) -> None:
    store = SessionStore(db)
    first = store.create("daisy")
    second = store.create("code")
    store.add_message(first.id, {"role": "user", "content": "bump"})
    assert [s.id for s in store.list()] == [first.id, second.id]
    assert [s.id for s in store.list(agent="code")] == [second.id]
    assert store.count() == 2


def test_an_unknown_session_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="no session"):
        SessionStore(db).get("s_nothing")


def test_a_message_with_an_unknown_role_is_refused(db: Database) -> None:
    store = SessionStore(db)
    session = store.create("daisy")
    with pytest.raises(ValueError, match="unknown message role"):
        store.add_message(session.id, {"role": "wizard", "content": "x"})
