"""An edit's source image kept in the emulator's state under its hash, so that the download of
the result, in this process or another, is drawn over the same picture.

Not for reading a source out of a request (files.source_bytes) nor for checking requests.
"""

from __future__ import annotations

import base64
import hashlib

from pydantic import BaseModel

from .state import EmulatorState

SOURCE_KIND = "source"


class KeptSource(BaseModel):
    b64: str


def keep_source(state: EmulatorState, data: bytes) -> str:
    """Keeps `data` for later downloads; its key (a hash of the bytes)."""
    key = hashlib.sha256(data).hexdigest()[:32]
    state.save(SOURCE_KIND, key, KeptSource(b64=base64.b64encode(data).decode("ascii")))
    return key


def kept_source(state: EmulatorState, key: str) -> bytes | None:
    kept = state.load(SOURCE_KIND, key, KeptSource)
    return base64.b64decode(kept.b64) if kept is not None else None
