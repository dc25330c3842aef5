"""Opens the driver of a provider: its client, pointed at the provider or, offline, at the
in-process emulator (media/offline.py). Each driver lives in its slice
(`media/<provider>/driver.py`). Not for HTTP details or wire fields (dave.providers) nor for
validation (dave.media.validation).
"""

from __future__ import annotations

from dave.core.errors import InvalidRequest
from dave.core.settings import PROVIDERS, Settings
from dave.media.driver_protocol import Driver
from dave.media.offline import media_emulator


def open_driver(provider: str, settings: Settings) -> Driver:
    if provider not in PROVIDERS:
        raise InvalidRequest(f"unknown provider {provider!r}; use one of {', '.join(PROVIDERS)}")
    transport = None
    typical_job_s = None
    base_url = settings.base_url(provider)
    if settings.offline:
        emulator = media_emulator(settings)
        transport = emulator.transport
        typical_job_s = emulator.typical_job_s
        base_url = emulator.base_url(provider)
    # Each driver and its client load on first use: a run pays only for the providers it calls.
    if provider == "xai":
        from dave.media.xai.driver import XaiDriver

        return XaiDriver.open(settings, base_url, transport, typical_job_s)
    if provider == "minimax":
        from dave.media.minimax.driver import MinimaxDriver

        return MinimaxDriver.open(settings, base_url, transport, typical_job_s)
    if provider == "stability":
        from dave.media.stability.driver import StabilityDriver

        return StabilityDriver.open(settings, base_url, transport, typical_job_s)
    raise InvalidRequest(f"provider {provider!r} has no media driver yet")
