"""Keeps secrets out of everything dave prints, logs, raises or stores.

Not a vault: keys live in the environment or config.toml; this only hides them on the way out.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

MASK = "***"

_known: set[str] = set()
_lock = threading.Lock()

# Shorter strings are too likely to appear by accident to be worth replacing.
_MIN_SECRET_LENGTH = 6


class Secret:
    """A string that never shows itself: repr, str and format all print `***`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def remember(value: str) -> None:
    """Registers a value that must never be shown."""
    if len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Replaces every registered secret in `text` with `***`."""
    if not _known or not text:
        return text
    with _lock:
        secrets = sorted(_known, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


_SENSITIVE_KEYS = ("authorization", "api_key", "apikey", "api-key", "x-api-key", "token", "secret")


def redact_data(value: Any) -> Any:
    """Returns a copy of JSON-like data with secret-named fields masked and secrets replaced."""
    if isinstance(value, dict):
        return {
            key: MASK
            if isinstance(key, str) and key.lower() in _SENSITIVE_KEYS
            else redact_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_data(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from every record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
