"""What one `dave serve` process holds: a Studio and its jobs, the live-update watcher, the
agent runs it started, the thumbnail cache and the folders it may serve from.

Not for answering requests (api.py, files.py, sockets.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dave.core.settings import Settings, read_config
from dave.media.events import StudioEvent
from dave.media.following import EventRouter, Jobs
from dave.media.studio import Result, Studio
from dave.media.thumbs import ThumbCache
from dave.publish.settings import publish_dir
from dave.server.live import Live
from dave.server.runs import Runs
from dave.store import Store

if TYPE_CHECKING:
    import httpx2

    from dave.agents.manager import AgentManager


class _Noted:
    """A listener that only notes the job's id (the live feed shows the rest)."""

    __hash__ = object.__hash__  # listeners sit in sets, by identity

    def __init__(self) -> None:
        self.jobs: list[str] = []

    def on_event(self, event: StudioEvent) -> None:
        if event.job_id != "-" and event.job_id not in self.jobs:
            self.jobs.append(event.job_id)


class ServerState:
    """Open it with `async with ServerState(settings) as state:`."""

    def __init__(
        self,
        settings: Settings,
        *,
        workspace: Path | None = None,
        llm_transport: httpx2.AsyncBaseTransport | None = None,
        live_interval_s: float = 0.25,
    ) -> None:
        self.settings = settings
        self.workspace = workspace or Path.cwd()
        self.thumbs = ThumbCache(settings.home / "thumbs")
        self.public_dir = publish_dir(settings, os.environ, read_config(settings.home))
        self.runs = Runs()
        self._llm_transport = llm_transport
        self._live_interval_s = live_interval_s
        self._router = EventRouter()
        self._studio: Studio | None = None
        self._jobs: Jobs | None = None
        self._live: Live | None = None
        self._manager: AgentManager | None = None

    async def __aenter__(self) -> ServerState:
        studio = Studio(self.settings, on_event=self._on_studio_event)
        await studio.__aenter__()
        self._studio = studio
        self._jobs = Jobs(studio, self._router)
        self._live = Live(studio.store, interval_s=self._live_interval_s)
        self._live.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runs.aclose()
        if self._manager is not None:
            await self._manager.aclose()
        if self._jobs is not None:
            await self._jobs.aclose()  # jobs stay journaled where they stand
        if self._live is not None:
            await self._live.aclose()
        if self._studio is not None:
            await self._studio.aclose()

    @property
    def studio(self) -> Studio:
        assert self._studio is not None, "open the state first"
        return self._studio

    @property
    def store(self) -> Store:
        return self.studio.store

    @property
    def live(self) -> Live:
        assert self._live is not None, "open the state first"
        return self._live

    @property
    def manager(self) -> AgentManager:
        """The agent manager, made on the first run (agents are imported only then)."""
        if self._manager is None:
            from dave.agents.manager import AgentManager

            self._manager = AgentManager(
                self.settings,
                approve=self.runs.approve,
                workspace=self.workspace,
                llm_transport=self._llm_transport,
            )
        return self._manager

    async def generate(self, request: dict[str, Any]) -> dict[str, Any]:
        """Validates and journals a media request and leaves it running: its job id and state.
        An invalid request raises before anything is journaled or sent."""
        assert self._jobs is not None
        listener = _Noted()
        outcome = await self._jobs.start(request, listener, wait_s=0)
        if isinstance(outcome, Result):
            return {"job_id": outcome.job.id, "state": outcome.job.state.value}
        return {"job_id": outcome, "state": self.store.jobs.get(outcome).state.value}

    def _on_studio_event(self, event: StudioEvent) -> None:
        self._router(event)
        if self._live is not None:
            self._live.nudge()
