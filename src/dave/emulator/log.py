"""The emulator's record of every provider request it received, for tests to assert on.
Not an access log for people, and not filtered: headers are kept exactly as the client sent them."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LoggedRequest:
    """One request as the emulator saw it, plus what it did with it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    json: Any
    """The parsed JSON body, or None when the body was empty or not JSON."""
    body_bytes: int
    form: dict[str, Any] | None = None
    """A multipart body's parts: `{"fields": {name: text}, "files": {name: [filename,
    content_type, bytes]}}`; None for other bodies."""
    fault: str | None = None
    """The kind of fault applied to this request, if any."""
    status: int | None = None
    """The status answered; None while running, or when the connection was dropped."""
    time: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """A thread-safe, append-only (until `clear`) list of `LoggedRequest`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(self) -> list[LoggedRequest]:
        """A snapshot, oldest first."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.entries())

    def find(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        """Entries with this method and a path matching `path` (fnmatch wildcards allowed)."""
        return [
            entry
            for entry in self.entries()
            if (method is None or entry.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(entry.path, path))
        ]

    def posts(self, path: str | None = None) -> list[LoggedRequest]:
        return self.find("POST", path)

    def gets(self, path: str | None = None) -> list[LoggedRequest]:
        return self.find("GET", path)

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_dict() for entry in self.entries()]
