"""Agent sessions: one conversation with one agent, its messages in order and its running totals.

Not for running agents (dave.agents) nor for media jobs (jobs.py): only the rows that let a
session be shown, and continued by another process after a restart.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .db import Row, SqlDatabase
from .ids import new_id, utc_now
from .jobs import dump_json, resolve_id

ROLES = frozenset({"system", "user", "assistant", "tool"})


@dataclass(frozen=True)
class Session:
    id: str
    agent: str
    title: str | None
    parent_id: str | None  # the session that delegated this one, if any
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    created_at: str
    updated_at: str
    message_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agent": self.agent,
            "title": self.title,
            "parent_id": self.parent_id,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.cost_usd,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "message_count": self.message_count,
        }


@dataclass(frozen=True)
class Message:
    session_id: str
    seq: int
    role: str
    content: str | None
    tool_calls: list[dict[str, Any]] | None
    tool_call_id: str | None
    name: str | None
    usage: dict[str, Any] | None
    created_at: str

    def to_openai(self) -> dict[str, Any]:
        """The message as the chat-completions API takes it back (a tool message's `name` is
        kept for people, not sent: the API's tool messages have none)."""
        message: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = self.tool_calls
        if self.role == "tool":
            message["tool_call_id"] = self.tool_call_id
        return message

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "role": self.role,
            "content": self.content,
            "tool_calls": self.tool_calls,
            "tool_call_id": self.tool_call_id,
            "name": self.name,
            "usage": self.usage,
            "created_at": self.created_at,
        }


_SESSION_COLUMNS = (
    "id, agent, title, parent_id, prompt_tokens, completion_tokens, cost_usd, created_at,"
    " updated_at, (SELECT COUNT(*) FROM messages m WHERE m.session_id = sessions.id) AS count"
)


def _row_to_session(row: Row) -> Session:
    return Session(
        id=row["id"],
        agent=row["agent"],
        title=row["title"],
        parent_id=row["parent_id"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        cost_usd=row["cost_usd"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        message_count=row["count"],
    )


def _row_to_message(row: Row) -> Message:
    return Message(
        session_id=row["session_id"],
        seq=row["seq"],
        role=row["role"],
        content=row["content"],
        tool_calls=json.loads(row["tool_calls_json"]) if row["tool_calls_json"] else None,
        tool_call_id=row["tool_call_id"],
        name=row["name"],
        usage=json.loads(row["usage_json"]) if row["usage_json"] else None,
        created_at=row["created_at"],
    )


class SessionStore:
    """Sessions and their messages in a SQLite `Database`; each write is one short transaction."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def create(
        self, agent: str, *, title: str | None = None, parent_id: str | None = None
    ) -> Session:
        session_id = new_id("s")
        now = utc_now()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO sessions (id, agent, title, parent_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, agent, title, parent_id, now, now),
            )
        return self.get(session_id)

    def resolve(self, text: str) -> str:
        """The full id of the one session that is `text` or starts with it (NotFound if none)."""
        with self.db.read() as conn:
            return resolve_id(conn, "sessions", "s", "session", text)

    def get(self, session_id: str) -> Session:
        with self.db.read() as conn:
            full = resolve_id(conn, "sessions", "s", "session", session_id)
            row = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (full,)
            ).fetchone()
        return _row_to_session(row)

    def list(
        self, limit: int = 50, offset: int = 0, *, agent: str | None = None
    ) -> builtins.list[Session]:
        """Sessions, the most recently used first."""
        where, params = ("WHERE agent = ?", [agent]) if agent else ("", [])
        rows = self.db.query(
            f"SELECT {_SESSION_COLUMNS} FROM sessions {where}"
            " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_row_to_session(row) for row in rows]

    def count(self) -> int:
        row = self.db.query_one("SELECT COUNT(*) FROM sessions")
        return int(row[0]) if row else 0

    def add_message(
        self,
        session_id: str,
        message: Mapping[str, Any],
        *,
        usage: Mapping[str, Any] | None = None,
        cost_usd: float | None = None,
    ) -> int:
        """Appends one chat message (OpenAI form) and adds `usage` and `cost_usd` to the
        session's totals, in one transaction; returns the message's seq."""
        role = str(message.get("role"))
        if role not in ROLES:
            raise ValueError(f"unknown message role {role!r}")
        content = message.get("content")
        if content is not None and not isinstance(content, str):
            content = dump_json(content)  # multi-part content is kept as its JSON
        tool_calls = message.get("tool_calls")
        now = utc_now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT COALESCE(MAX(seq) + 1, 0) FROM messages WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            seq = int(row[0])
            conn.execute(
                "INSERT INTO messages (session_id, seq, role, content, tool_calls_json,"
                " tool_call_id, name, usage_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    seq,
                    role,
                    content,
                    dump_json(list(tool_calls)) if tool_calls else None,
                    message.get("tool_call_id"),
                    message.get("name"),
                    dump_json(dict(usage)) if usage else None,
                    now,
                ),
            )
            conn.execute(
                "UPDATE sessions SET prompt_tokens = prompt_tokens + ?,"
                " completion_tokens = completion_tokens + ?, cost_usd = cost_usd + ?,"
                " updated_at = ? WHERE id = ?",
                (
                    int((usage or {}).get("prompt_tokens") or 0),
                    int((usage or {}).get("completion_tokens") or 0),
                    float(cost_usd or 0.0),
                    now,
                    session_id,
                ),
            )
        return seq

    def add_cost(self, session_id: str, cost_usd: float) -> None:
        """Adds a cost that belongs to no message (e.g. media a tool paid for)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET cost_usd = cost_usd + ?, updated_at = ? WHERE id = ?",
                (float(cost_usd), utc_now(), session_id),
            )

    def messages(self, session_id: str) -> builtins.list[Message]:
        """Every message of the session, in order."""
        rows = self.db.query(
            "SELECT * FROM messages WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        return [_row_to_message(row) for row in rows]
