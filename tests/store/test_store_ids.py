"""Ids sort in the order they were made; timestamps sort as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dave.store import new_id, parse_timestamp, utc_now
from dave.store.ids import normalize_prefix, ulid, ulid_at


def test_ids_are_prefixed_crockford_ulids_sorted_in_creation_order() -> None:
    ids = [new_id("j") for _ in range(2000)]
    assert all(re.fullmatch(r"j_[0-7][0-9A-HJKMNP-TV-Z]{25}", i) for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_a_ulid_starts_with_its_millisecond_and_sorts_by_it() -> None:
    early = ulid_at(1_000, (1 << 80) - 1)
    assert early == "00000000Z8" + "Z" * 16  # 1000 ms = 31 * 32 + 8
    assert early < ulid_at(1_001, 0) < ulid()
    assert ulid()[:10] > ulid_at(1_700_000_000_000, 0)[:10]  # now is after Nov 2023


def test_timestamps_are_fixed_width_utc_and_round_trip() -> None:
    stamp = utc_now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp)
    parsed = parse_timestamp(stamp)
    assert abs(parsed - datetime.now(UTC)) < timedelta(seconds=5)


def test_prefixes_are_normalized_to_the_id_alphabet_case() -> None:
    assert normalize_prefix("j", "01abc") == "j_01ABC"
    assert normalize_prefix("j", "J_01abc") == "j_01ABC"
    assert normalize_prefix("a", " a_7z ") == "a_7Z"
