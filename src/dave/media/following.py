"""Following jobs for a door (MCP, the HTTP server): each request runs in a task of its own, a
caller waits for it at most so long and then holds only its job id, and a later caller joins
the same task rather than polling beside it.

A job never depends on the call that started it: a call that times out or is cancelled leaves
its job running here (so outputs are still fetched while their URLs live), and a job this
process no longer holds is picked up from the journal. Not for what a door answers, nor for
how it shows progress: a Listener hears the Studio's events for its jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from dave.media.events import StudioEvent
from dave.media.studio import Result, Studio
from dave.store.jobs import JobState

log = logging.getLogger("dave.media")


class Listener(Protocol):
    """Hears the Studio's events for the jobs it follows, and notes each job's id."""

    #: Jobs it has heard of, first one first.
    jobs: list[str]

    def on_event(self, event: StudioEvent) -> None: ...


# The listener of the call whose task emits an event: a job's first events come before
# anyone knows its id.
_CALLER: contextvars.ContextVar[Listener | None] = contextvars.ContextVar(
    "dave_job_caller", default=None
)


class EventRouter:
    """The Studio's one listener: each event goes to the call that started its job and to
    every call waiting on that job now."""

    def __init__(self) -> None:
        self._waiting: dict[str, set[Listener]] = {}

    def __call__(self, event: StudioEvent) -> None:
        targets = set(self._waiting.get(event.job_id, ()))
        caller = _CALLER.get()
        if caller is not None:
            targets.add(caller)
        for listener in targets:
            listener.on_event(event)

    @contextlib.contextmanager
    def listening(self, job_id: str, listener: Listener) -> Iterator[None]:
        self._waiting.setdefault(job_id, set()).add(listener)
        try:
            yield
        finally:
            waiting = self._waiting.get(job_id, set())
            waiting.discard(listener)
            if not waiting:
                self._waiting.pop(job_id, None)


class Jobs:
    """The jobs this server is running, by id, each in its own task."""

    def __init__(self, studio: Studio, router: EventRouter) -> None:
        self._studio = studio
        self._router = router
        self._tasks: dict[str, asyncio.Task[Result]] = {}

    async def start(
        self, request: Mapping[str, Any], listener: Listener, wait_s: float
    ) -> Result | str:
        """Runs one request: its Result if it ends within `wait_s`, else its job id.

        An invalid request raises at once (nothing journaled); a job that fails raises its
        error, which names the job.
        """
        token = _CALLER.set(listener)
        try:
            task = asyncio.create_task(self._studio.run(request))
        finally:
            _CALLER.reset(token)
        deadline = asyncio.get_running_loop().time() + wait_s
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                # asyncio.wait never cancels the task: a cancelled call leaves its job running,
                # held here so that a job_wait joins it rather than polling beside it.
                done, _ = await asyncio.wait({task}, timeout=max(remaining, 0.0))
            except asyncio.CancelledError:
                if listener.jobs:
                    self._hold(listener.jobs[0], task)
                raise
            if done:
                finished: Result = task.result()
                return finished
            if listener.jobs:  # journaled; still running
                job_id = listener.jobs[0]
                self._hold(job_id, task)
                return job_id
            # Not yet journaled (sources still being read): wait for its id a little more.
            deadline = asyncio.get_running_loop().time() + 0.5

    async def follow(self, job_id: str, listener: Listener, wait_s: float) -> Result | None:
        """Waits up to `wait_s` for a journaled job: its Result, or None while it runs."""
        task = self._tasks.get(job_id)
        if task is None:
            job = self._studio.jobs.get(job_id)
            if job.terminal:
                return await self._studio.wait(job_id)  # answers from the journal
            # A fresh context: this task belongs to no call.
            task = asyncio.create_task(self._pick_up(job_id), context=contextvars.Context())
            self._hold(job_id, task)
        with self._router.listening(job_id, listener):
            done, _ = await asyncio.wait({task}, timeout=wait_s)
        return task.result() if done else None

    def running(self) -> list[str]:
        return list(self._tasks)

    async def aclose(self) -> None:
        """Stops following: every job stays journaled where it stood, for `dave jobs resume`."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _pick_up(self, job_id: str) -> Result:
        if self._studio.jobs.get(job_id).state is JobState.SUBMITTING:
            # Sent by a process that is gone: resume marks it unknown, never resends it.
            await self._studio.resume(job_id)
        return await self._studio.wait(job_id)

    def _hold(self, job_id: str, task: asyncio.Task[Result]) -> None:
        self._tasks.setdefault(job_id, task)

        def forget(done: asyncio.Task[Result]) -> None:
            if self._tasks.get(job_id) is done:
                del self._tasks[job_id]
            if not done.cancelled() and done.exception() is not None:
                # Journaled already; the next job_wait reports it from there.
                log.info("job %s ended: %s", job_id, done.exception())

        task.add_done_callback(forget)
