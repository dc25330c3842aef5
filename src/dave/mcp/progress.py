"""A tool call's progress notifications: the Studio's events for its job, turned into a rising
figure out of 100 and a line a person can read, sent in order while the call runs.

Not for following the job itself (dave.media.following) nor for what a finished call
returns (answers.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from dave.media.events import StudioEvent

#: Sends one notification: (progress, total, message).
Send = Callable[[float, float | None, str | None], Awaitable[None]]

# Where each state puts the bar; a provider's own percentage fills the span from submitted
# to downloading.
_AT = {"created": 1.0, "submitting": 3.0, "submitted": 5.0, "downloading": 90.0, "done": 100.0}
_RENDER_FROM, _RENDER_TO = 5.0, 89.0


class Reporter:
    """Takes Studio events (from any thread) and sends them as progress notifications.

    The figure only rises, as the protocol asks; a closed reporter drops what still comes (a
    job can outlive the call that started it).
    """

    def __init__(self, send: Send, provider_of: Callable[[str], str]) -> None:
        self._send = send
        #: The provider's name for a job id (read from the journal once per job).
        self._provider_of = provider_of
        self._providers: dict[str, str] = {}
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
        self._pump = self._loop.create_task(self._run())
        self._at = 0.0
        self._polls = 0
        self._closed = False
        #: Jobs this call has heard of, first one first.
        self.jobs: list[str] = []

    def on_event(self, event: StudioEvent) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._take(event)
        else:
            self._loop.call_soon_threadsafe(self._take, event)

    async def close(self) -> None:
        """Sends what is queued, then stops: the last notification precedes the answer."""
        if self._closed:
            return
        self._closed = True
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await self._pump

    def _take(self, event: StudioEvent) -> None:
        if self._closed:
            return
        if event.job_id != "-" and event.job_id not in self.jobs:
            self.jobs.append(event.job_id)
        line = self._line(event)
        if line is None:
            return
        figure, message = line
        # Strictly rising, even for a repeated poll.
        self._at = min(100.0, max(figure, self._at + 0.01))
        self._queue.put_nowait((round(self._at, 2), message))

    def _provider(self, job: str) -> str:
        if job not in self._providers:
            self._providers[job] = self._provider_of(job)
        return self._providers[job]

    def _line(self, event: StudioEvent) -> tuple[float, str] | None:
        job = event.job_id
        if event.kind == "state" and event.state:
            return _AT.get(event.state, self._at), self._state_line(job, event.state)
        if event.kind == "state" and event.message:
            return self._at, event.message
        if event.kind == "poll":
            self._polls += 1
            if event.progress is None:
                return (
                    self._at,
                    f"{job}: {self._provider(job)} is still working (poll {self._polls})",
                )
            figure = _RENDER_FROM + (_RENDER_TO - _RENDER_FROM) * min(event.progress, 100) / 100
            return figure, f"{job}: {self._provider(job)} reports {event.progress}% done"
        if event.kind == "download" and event.done_bytes is not None:
            return self._at, f"{job}: downloaded {_size(event.done_bytes)}"
        return None

    def _state_line(self, job: str, state: str) -> str:
        lines = {
            "created": f"{job}: journaled, sending to {self._provider(job)}",
            "submitting": f"{job}: sending to {self._provider(job)}",
            "submitted": f"{job}: accepted by {self._provider(job)}, waiting for the result",
            "downloading": f"{job}: ready, downloading and checking the files",
            "done": f"{job}: done, kept in the library",
        }
        return lines.get(state, f"{job}: {state}")

    async def _run(self) -> None:
        while (item := await self._queue.get()) is not None:
            figure, message = item
            # A client that went away must not stop the job, only the notifications.
            with contextlib.suppress(Exception):
                await self._send(figure, 100.0, message)


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{count / 1000:.0f} kB"
