"""Provider pauses shared through the journal: a 429's Retry-After, noted by the worker that got
it, is waited out by every worker on the same journal (core.http reads it before each request).

Not for the retry policy itself (core.http) nor for jobs (jobs.py).
"""

from __future__ import annotations

from .db import SqlDatabase


class PauseStore:
    """`provider_pauses`: one row per provider, the Unix time until which it asked for quiet."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def paused_until(self, provider: str) -> float:
        row = self.db.query_one("SELECT until FROM provider_pauses WHERE provider = ?", (provider,))
        return float(row[0]) if row is not None else 0.0

    def pause(self, provider: str, until: float) -> None:
        """Pauses `provider` until `until`; an existing longer pause is kept."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO provider_pauses (provider, until) VALUES (?, ?)"
                " ON CONFLICT (provider) DO UPDATE SET until = excluded.until"
                " WHERE excluded.until > provider_pauses.until",
                (provider, float(until)),
            )
