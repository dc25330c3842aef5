"""Opening the store for commands that only read it: no asyncio, no providers, no rich."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dave.store import Store


def open_store() -> Store:
    from dave.core.settings import load_settings
    from dave.store import Store

    settings = load_settings()
    return Store.open(settings.home, settings.database)
