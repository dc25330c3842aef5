"""A worker: claims queued jobs from the shared journal, holds each with a lease it renews, and
runs it through the Studio, a few at a time.

The journal decides who runs what: a claim is one transaction, so two workers never hold the
same job, and the Studio's compare-and-set steps mean a paid request is sent once even if a
lease is lost. A worker that dies leaves its leases to lapse; the next claim takes those jobs
over and `Studio.work` picks each up where it stood (a job found mid-submit becomes `unknown`,
never resent by itself). Not for deciding what a job is (the Studio) nor for the command (cli).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dave.core.errors import ConfigError, DaveError
from dave.core.http import SHARED_PAUSES
from dave.media.studio import Result, Studio
from dave.store import Job, new_id
from dave.store.jobs import QUEUE_CHANNEL
from dave.store.pauses import PauseStore

log = logging.getLogger("dave.worker")

LEASE_VARIABLE = "DAVE_WORKER_LEASE_S"
DEFAULT_LEASE_S = 30.0


@dataclass
class Tally:
    """What a worker did: jobs it finished by how they ended, and those it handed back."""

    ended: dict[str, int] = field(default_factory=dict)
    handed_back: int = 0

    def line(self) -> str:
        done = ", ".join(f"{count} {state}" for state, count in sorted(self.ended.items()))
        back = f"; {self.handed_back} handed back" if self.handed_back else ""
        return f"worker: {done or 'no jobs'}{back}"


def lease_from_env() -> float:
    raw = os.environ.get(LEASE_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_LEASE_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 1 <= value <= 3600:
        raise DaveError(f"{LEASE_VARIABLE} must be 1 to 3600 seconds, not {raw!r}")
    return value


def limits_from_config(config: Mapping[str, Any]) -> dict[str, int]:
    """`[limits]` of config.toml: how many jobs of each provider all workers may run at once
    (`xai = 8`)."""
    from dave.media.capabilities import providers

    table = config.get("limits", {})
    if not isinstance(table, dict):
        raise ConfigError("[limits] in config.toml must be a table such as `xai = 8`")
    caps = {}
    for name, value in table.items():
        if name not in providers():
            raise ConfigError(f"[limits] names an unknown provider {name!r}; use one of "
                              f"{', '.join(providers())}")  # fmt: skip
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
            raise ConfigError(f"[limits] {name} must be a whole number 1 to 1000, not {value!r}")
        caps[name] = value
    return caps


class Worker:
    """`await Worker(studio).run(until_idle=True)` drains the queue."""

    def __init__(
        self,
        studio: Studio,
        *,
        concurrency: int = 4,
        lease_s: float = DEFAULT_LEASE_S,
        provider: str | None = None,
        poll_s: float = 1.0,
        caps: Mapping[str, int] | None = None,
        on_result: Callable[[Job, Result | None], None] | None = None,
    ) -> None:
        self.studio = studio
        self.concurrency = concurrency
        self.lease_s = lease_s
        self.provider = provider
        self.poll_s = poll_s
        self.caps = dict(caps or {})
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{new_id('w')[-8:]}"
        self.tally = Tally()
        self._on_result = on_result
        self._running: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Claims nothing more; jobs in hand are finished (see `run`'s `grace_s`)."""
        self._stopping.set()

    async def run(self, *, until_idle: bool = False, grace_s: float = 60.0) -> Tally:
        """Works until stopped (or, with `until_idle`, until nothing is left to claim and
        nothing runs). On stop, jobs in hand get `grace_s` to end; the rest are handed back
        where they stand for another worker."""
        # The jobs' tasks, made below, inherit this: a 429 one of them gets pauses them all,
        # and every other worker on the journal.
        shared = SHARED_PAUSES.set(PauseStore(self.studio.store.db))
        renewing = asyncio.create_task(self._renew_leases())
        loop = asyncio.get_running_loop()
        queued = asyncio.Event()
        # PostgreSQL says when a job is queued; the poll is the backstop (and SQLite's way).
        listen = getattr(self.studio.store.db, "listen", None)
        stop_listening = (
            listen(QUEUE_CHANNEL, lambda: loop.call_soon_threadsafe(queued.set))
            if listen is not None
            else None
        )
        try:
            while not self._stopping.is_set():
                queued.clear()
                claimed = self._claim()
                if until_idle and not claimed and not self._running:
                    break
                waiting = set(self._running.values())
                stop = asyncio.create_task(self._stopping.wait())
                woken = asyncio.create_task(queued.wait())
                # Wake when a slot frees, a job is queued, on stop, or to look again.
                await asyncio.wait(
                    {*waiting, stop, woken},
                    timeout=0 if claimed and self._free() else self.poll_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                stop.cancel()
                woken.cancel()
            await self._wind_down(grace_s)
        finally:
            if stop_listening is not None:
                await asyncio.to_thread(stop_listening)
            SHARED_PAUSES.reset(shared)
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        return self.tally

    def _free(self) -> int:
        return self.concurrency - len(self._running)

    def _claim(self) -> list[Job]:
        if self._free() <= 0:
            return []
        jobs = self.studio.jobs.claim(
            self.owner, self._free(), self.lease_s, provider=self.provider, caps=self.caps
        )
        for job in jobs:
            self._running[job.id] = asyncio.create_task(self._work(job))
        return jobs

    async def _work(self, job: Job) -> None:
        result: Result | None = None
        try:
            result = await self.studio.work(job)
        except DaveError as error:
            log.info("%s: %s", job.id, error.user_line())
        finally:
            ended = self.studio.jobs.get(job.id)
            if ended.terminal:
                self.tally.ended[ended.state.value] = self.tally.ended.get(ended.state.value, 0) + 1
            self.studio.jobs.release(self.owner, job.id)
            self._running.pop(job.id, None)
        if self._on_result is not None:
            self._on_result(ended, result)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            held = list(self._running)
            kept = self.studio.jobs.renew(self.owner, held, self.lease_s)
            for lost in set(held) - kept:  # taken over (we were too slow): let it go
                task = self._running.get(lost)
                if task is not None:
                    task.cancel()

    async def _wind_down(self, grace_s: float) -> None:
        tasks = list(self._running.values())
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=grace_s)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
            self.tally.handed_back += len(late)
