"""dave: agents that chat with LLMs through tools, code in a workspace and make media, every
generation journaled and kept in a local library.

The public API is below; everything else is an implementation detail. Names load on first use
so `import dave` (and `dave --help`) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dave.core.lazy import lazy_exports

if TYPE_CHECKING:
    from dave.agents import AgentManager, AgentSpec
    from dave.core.errors import (
        ConfigError,
        DaveError,
        InvalidRequest,
        JobExpired,
        JobFailed,
        Moderated,
        NotFound,
        OutcomeUnknown,
        OutOfCredit,
        ProviderError,
        ProviderUnavailable,
        RateLimited,
        Rejected,
        StoreError,
        Unauthorized,
        VerificationFailed,
    )
    from dave.core.settings import Settings, load_settings
    from dave.media.requests import (
        ControlRequest,
        EditRequest,
        ImageRequest,
        LyricsRequest,
        MusicRequest,
        UpscaleRequest,
        VideoRequest,
    )
    from dave.media.studio import Result, Studio
    from dave.media.sync import SyncStudio
    from dave.store.assets import Asset
    from dave.store.jobs import Job, JobState

__version__ = "0.1.0"

__all__ = [
    "AgentManager",
    "AgentSpec",
    "Asset",
    "ConfigError",
    "ControlRequest",
    "DaveError",
    "EditRequest",
    "ImageRequest",
    "InvalidRequest",
    "Job",
    "JobExpired",
    "JobFailed",
    "JobState",
    "LyricsRequest",
    "Moderated",
    "MusicRequest",
    "NotFound",
    "OutOfCredit",
    "OutcomeUnknown",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "Rejected",
    "Result",
    "Settings",
    "StoreError",
    "Studio",
    "SyncStudio",
    "Unauthorized",
    "UpscaleRequest",
    "VerificationFailed",
    "VideoRequest",
    "__version__",
    "load_settings",
]

_ERRORS = "dave.core.errors"
_WHERE = {
    "AgentManager": "dave.agents",
    "AgentSpec": "dave.agents",
    "Asset": "dave.store.assets",
    "ControlRequest": "dave.media.requests",
    "EditRequest": "dave.media.requests",
    "ImageRequest": "dave.media.requests",
    "LyricsRequest": "dave.media.requests",
    "MusicRequest": "dave.media.requests",
    "UpscaleRequest": "dave.media.requests",
    "Job": "dave.store.jobs",
    "JobState": "dave.store.jobs",
    "Result": "dave.media.studio",
    "Settings": "dave.core.settings",
    "Studio": "dave.media.studio",
    "SyncStudio": "dave.media.sync",
    "VideoRequest": "dave.media.requests",
    "load_settings": "dave.core.settings",
}
# Every other public name is an error class.
_WHERE |= {name: _ERRORS for name in __all__ if name not in _WHERE and name != "__version__"}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
