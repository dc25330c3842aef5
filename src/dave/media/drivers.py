"""Opens the driver of a provider: its client, pointed at the provider or, offline, at the
in-process emulator (media/offline.py). Each driver lives in its slice
(`media/<provider>/driver.py`) and the registry (catalog.py) loads it on first use, so a run
pays only for the providers it calls. Not for HTTP details or wire fields (dave.providers) nor
for validation (dave.media.validation).
"""

from __future__ import annotations

from typing import cast

from dave.core.settings import Settings
from dave.media import catalog
from dave.media.driver_protocol import Driver
from dave.media.offline import media_emulator


def open_driver(provider: str, settings: Settings) -> Driver:
    slice_ = catalog.get(provider)
    driver = slice_.driver()
    if not settings.offline:
        base_url = settings.base_url(provider, slice_.default_base_url)
        return cast(Driver, driver.open(settings, base_url, None, None))
    emulator = media_emulator(settings)
    opened = driver.open(
        settings, emulator.base_url(provider), emulator.transport, emulator.typical_job_s
    )
    return cast(Driver, opened)  # each slice's driver adds prepare and status to the base
