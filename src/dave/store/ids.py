"""Time-ordered ids (`j_…`, `a_…`) and the journal's timestamp format.

Not for anything random or secret: the ids are sortable labels, not tokens.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

# Crockford base32: no I, L, O, U, so an id read aloud or typed by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_lock = threading.Lock()
_last_ms = -1
_last_random = 0

#: Width of every timestamp the store writes; they sort as text in time order.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # 10 bits → two digits
_SHIFTS = range(120, -1, -10)


def _encode128(value: int) -> str:
    """A 128-bit number as 26 Crockford base32 digits (the first digit is 0-7, as in ULID)."""
    return "".join([_PAIRS[(value >> shift) & 0x3FF] for shift in _SHIFTS])


def ulid_at(ms: int, rand: int) -> str:
    """The ULID for a millisecond timestamp and 80 random bits."""
    return _encode128(
        ((ms & 0xFFFF_FFFF_FFFF) << _RANDOM_BITS) | (rand & ((1 << _RANDOM_BITS) - 1))
    )


def ulid() -> str:
    """26 characters: 48 bits of milliseconds then 80 random bits, monotonic in one process."""
    global _last_ms, _last_random
    with _lock:
        ms = int(time.time() * 1000)
        if ms <= _last_ms:
            # Same (or an earlier, if the clock stepped back) millisecond: count up from the
            # last id so ids made by one process always sort in the order they were made.
            ms = _last_ms
            rand = (_last_random + 1) % (1 << _RANDOM_BITS)
        else:
            rand = int.from_bytes(os.urandom(10), "big")
        _last_ms, _last_random = ms, rand
    return ulid_at(ms, rand)


def new_id(prefix: str) -> str:
    """`prefix_` + a ULID, e.g. `new_id("j")` → `j_01J0Z7…`."""
    return f"{prefix}_{ulid()}"


def utc_now() -> str:
    """Now as ISO-8601 UTC with microseconds: `2026-05-09T07:35:25.123456Z` (27 characters)."""
    return datetime.now(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """The aware `datetime` for a timestamp written by `utc_now`."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def normalize_prefix(prefix: str, text: str) -> str:
    """What a user typed (`01J0Z`, `j_01j0z`) as the start of an id with that prefix."""
    text = text.strip()
    head = f"{prefix}_"
    body = text[len(head) :] if text.lower().startswith(head) else text
    return head + body.upper()


def prefix_upper_bound(start: str) -> str:
    """The smallest string greater than every string starting with `start` (for range scans)."""
    return start[:-1] + chr(ord(start[-1]) + 1)
