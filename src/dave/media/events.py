"""What the Studio tells its caller while a job runs: state changes, poll progress, bytes fetched.

Not a log: events are for progress bars and streams; the journal is the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StudioEvent:
    job_id: str
    kind: str  # "state", "progress" (a new figure), "poll" (every poll) or "download"
    state: str | None = None
    progress: int | None = None
    done_bytes: int | None = None
    total_bytes: int | None = None
    message: str | None = None


EventHandler = Callable[[StudioEvent], None]


def ignore(event: StudioEvent) -> None:
    """The default handler: no one is listening."""
