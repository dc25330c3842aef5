"""What the Studio asks of a provider's media driver (the `Driver` protocol and `Send`), and
what every driver shares (`ClientDriver`).

Every driver module (drivers.py for x.ai, minimax/driver.py, stability/driver.py) and the Studio
import these from here, so the drivers need not import the module that opens them. Not for
opening a driver (drivers.py) nor for any provider's fields.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, Self, TypeVar

from dave.core.http import Download, HttpClient, SinkT
from dave.core.settings import Settings
from dave.media.requests import Request
from dave.providers.base import Status, Submission

if TYPE_CHECKING:
    import httpx2

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


class WireClient(Protocol):
    """What a driver needs of its provider's wire client."""

    @property
    def http(self) -> HttpClient: ...

    async def aclose(self) -> None: ...


C = TypeVar("C", bound=WireClient)


class ClientDriver(Generic[C]):
    """What every driver shares: one wire client, opened from the settings, closed with the
    driver, and its downloads under the policy of core/http.py. A driver names its provider
    and its client's class, and adds `prepare` and `status`."""

    #: The provider whose key the client takes.
    provider: ClassVar[str]
    #: The wire client's class: `(key, base_url, http_settings, *, transport)`.
    client_class: ClassVar[Callable[..., Any]]

    def __init__(self, client: C, typical_job_s: float | None = None) -> None:
        self.client = client
        self.typical_job_s = typical_job_s

    @classmethod
    def open(
        cls,
        settings: Settings,
        base_url: str,
        transport: httpx2.AsyncBaseTransport | None,
        typical_job_s: float | None,
    ) -> Self:
        key = settings.key(cls.provider)
        client = cls.client_class(key, base_url, settings.http, transport=transport)
        return cls(client, typical_job_s)

    @property
    def http(self) -> HttpClient:
        return self.client.http

    async def aclose(self) -> None:
        await self.client.aclose()

    async def download(self, url: str, open_sink: Callable[[], SinkT]) -> tuple[SinkT, Download]:
        return await self.http.download(url, open_sink)
