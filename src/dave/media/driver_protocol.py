"""What the Studio asks of a provider's media driver: the `Driver` protocol and `Send`.

Every driver module (drivers.py for x.ai, minimax/driver.py, stability/driver.py) and the Studio
import these from here, so the drivers need not import the module that opens them. Not for
opening a driver (drivers.py) nor for any provider's fields.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from dave.core.http import Download, HttpClient, SinkT
from dave.media.requests import Request
from dave.providers.base import Status, Submission

#: The one billable request, ready to go: everything short of sending is done.
Send = Callable[[], Awaitable[Submission]]


class Driver(Protocol):
    @property
    def http(self) -> HttpClient:
        """The driver's client (read-only here, so a driver may hold a subclass)."""
        ...

    #: How long a job usually takes when that is known in advance (the emulator), else None.
    typical_job_s: float | None

    async def prepare(self, request: Request) -> Send:
        """Everything short of sending: the returned call sends the one billable request."""
        ...

    async def status(self, kind: str, provider_job_id: str) -> Status: ...

    async def download(self, url: str, open_sink: Callable[[], SinkT]) -> tuple[SinkT, Download]:
        """Streams one output into a fresh sink (the provider's URLs need no key)."""
        ...

    async def aclose(self) -> None: ...


class Downloads:
    """What every driver's `download` is: its client's, with the policy of core/http.py."""

    http: HttpClient

    async def download(self, url: str, open_sink: Callable[[], SinkT]) -> tuple[SinkT, Download]:
        return await self.http.download(url, open_sink)
