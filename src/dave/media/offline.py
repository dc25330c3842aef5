"""The in-process emulator that offline runs talk to: the ASGI transports behind the Studio's
provider clients and the agents' model client when `settings.offline` is set.

The one module below the doors that imports dave.emulator, and only inside its functions: the
emulator pulls in starlette, Pillow and PyAV, which `dave --help` and online runs never need.
The wire clients (dave.providers) never import it; whoever opens a client passes the transport
in. Not for the emulator itself (dave.emulator), nor for choosing an LLM endpoint
(dave.providers.openai_compat).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dave.core.settings import Settings
from dave.media.capabilities import offline_prefix

if TYPE_CHECKING:
    import httpx2

# Offline, requests go to this made-up host, which the ASGI transport answers in-process.
EMULATOR_ORIGIN = "http://emulator.invalid"


@dataclass(frozen=True)
class OfflineMedia:
    """The emulator as the Studio's drivers reach it."""

    transport: httpx2.AsyncBaseTransport
    #: How long its video (and other async) jobs take, from its config.
    typical_job_s: float

    def base_url(self, provider: str) -> str:
        return EMULATOR_ORIGIN + offline_prefix(provider)


def media_emulator(settings: Settings) -> OfflineMedia:
    """A fresh in-process emulator for one provider client of the Studio."""
    import httpx2

    from dave.emulator import EmulatorConfig, create_app

    # DAVE_EMULATOR_CONFIG may give the in-process emulator faults and timings. Its jobs
    # live in a file under DAVE_HOME, so a later process (`dave jobs resume`) can poll them.
    config = EmulatorConfig.from_environment() or EmulatorConfig.model_validate({})
    config.state_file = config.state_file or settings.home / "emulator.db"
    app = create_app(config)
    return OfflineMedia(httpx2.ASGITransport(app=app), config.video_ready_s)


def chat_emulator() -> httpx2.AsyncBaseTransport:
    """An in-process emulator for an offline model client. With `DAVE_EMULATOR_CONFIG` set, its
    `chat_script` drives the model turn by turn (`dave code --offline` with no server)."""
    import httpx2

    from dave.emulator import EmulatorConfig, create_app

    return httpx2.ASGITransport(app=create_app(EmulatorConfig.from_environment()))
