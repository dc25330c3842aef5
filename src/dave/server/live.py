"""Live updates for the gallery: job state changes and new assets, as the journal records them.

The journal is the one source: a watcher follows its change feeds (job events, assets by seq),
so what another dave process on the same library does shows up as well as this one's. This
process's own Studio nudges the watcher so its changes arrive at once; otherwise it looks every
`interval_s`. Not for agent runs (runs.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from dave.server.views import asset_view, event_view
from dave.store import Store

log = logging.getLogger("dave.server")

#: Messages a slow client may fall behind by before it is dropped (the page then reconnects
#: and reloads).
BACKLOG = 1000


class Live:
    """Fans the journal's changes out to every subscriber's queue."""

    def __init__(self, store: Store, *, interval_s: float = 0.25) -> None:
        self._store = store
        self._interval_s = interval_s
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._nudged = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_event = store.jobs.last_event_id()
        self._last_seq = store.assets.last_seq()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for queue in list(self._subscribers):
            queue.put_nowait(None)

    def nudge(self) -> None:
        """Something changed in this process: look now."""
        self._nudged.set()

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(BACKLOG + 1)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._subscribers.discard(queue)

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), self._interval_s)
            self._nudged.clear()
            try:
                messages = self._changes()
            except Exception as error:  # a locked or moved database: try again next time
                log.warning("live updates: %s", error)
                continue
            for message in messages:
                self._publish(message)

    def _changes(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while events := self._store.jobs.events_since(self._last_event):
            self._last_event = events[-1].id
            messages += [{"kind": "job", **event_view(event)} for event in events]
        while added := self._store.assets.added_since(self._last_seq):
            self._last_seq = added[-1][0]
            jobs = self._store.jobs.many(a.job_id for _, a in added if a.job_id)
            messages += [
                {"kind": "asset", "asset": asset_view(a, jobs.get(a.job_id or ""))}
                for _, a in added
            ]
        return messages

    def _publish(self, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            if queue.qsize() >= BACKLOG:
                self._subscribers.discard(queue)
                queue.put_nowait(None)  # too far behind: the client reconnects
            else:
                queue.put_nowait(message)
