"""dave: agents that chat with LLMs through tools, code in a workspace and make media, every
generation journaled and kept in a local library.

The public API is below; everything else is an implementation detail. Names load on first use
so `import dave` (and `dave --help`) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dave.core.lazy import lazy_exports

if TYPE_CHECKING:
    # For type checkers only (`X as X` re-exports X): at run time `_EXPORTS` below loads each
    # name on first use. tests/studio/test_studio_public_api.py keeps the two the same.
    from dave.agents import AgentManager as AgentManager
    from dave.agents import AgentSpec as AgentSpec
    from dave.core.errors import ConfigError as ConfigError
    from dave.core.errors import DaveError as DaveError
    from dave.core.errors import InvalidRequest as InvalidRequest
    from dave.core.errors import JobExpired as JobExpired
    from dave.core.errors import JobFailed as JobFailed
    from dave.core.errors import Moderated as Moderated
    from dave.core.errors import NotFound as NotFound
    from dave.core.errors import OutcomeUnknown as OutcomeUnknown
    from dave.core.errors import OutOfCredit as OutOfCredit
    from dave.core.errors import ProviderError as ProviderError
    from dave.core.errors import ProviderUnavailable as ProviderUnavailable
    from dave.core.errors import RateLimited as RateLimited
    from dave.core.errors import Rejected as Rejected
    from dave.core.errors import StoreError as StoreError
    from dave.core.errors import Unauthorized as Unauthorized
    from dave.core.errors import VerificationFailed as VerificationFailed
    from dave.core.settings import Settings as Settings
    from dave.core.settings import load_settings as load_settings
    from dave.core.version import __version__ as __version__
    from dave.media.events import StudioEvent as StudioEvent
    from dave.media.requests import ControlRequest as ControlRequest
    from dave.media.requests import EditRequest as EditRequest
    from dave.media.requests import ImageRequest as ImageRequest
    from dave.media.requests import LyricsRequest as LyricsRequest
    from dave.media.requests import MusicRequest as MusicRequest
    from dave.media.requests import UpscaleRequest as UpscaleRequest
    from dave.media.requests import VideoRequest as VideoRequest
    from dave.media.studio import Result as Result
    from dave.media.studio import Studio as Studio
    from dave.media.sync import SyncStudio as SyncStudio
    from dave.store.assets import Asset as Asset
    from dave.store.jobs import Job as Job
    from dave.store.jobs import JobState as JobState

#: Each public name, by the module that defines it: the one list `__all__` is derived from.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "dave.agents": ("AgentManager", "AgentSpec"),
    "dave.core.errors": (
        "ConfigError",
        "DaveError",
        "InvalidRequest",
        "JobExpired",
        "JobFailed",
        "Moderated",
        "NotFound",
        "OutOfCredit",
        "OutcomeUnknown",
        "ProviderError",
        "ProviderUnavailable",
        "RateLimited",
        "Rejected",
        "StoreError",
        "Unauthorized",
        "VerificationFailed",
    ),
    "dave.core.settings": ("Settings", "load_settings"),
    "dave.core.version": ("__version__",),
    "dave.media.events": ("StudioEvent",),
    "dave.media.requests": (
        "ControlRequest",
        "EditRequest",
        "ImageRequest",
        "LyricsRequest",
        "MusicRequest",
        "UpscaleRequest",
        "VideoRequest",
    ),
    "dave.media.studio": ("Result", "Studio"),
    "dave.media.sync": ("SyncStudio",),
    "dave.store.assets": ("Asset",),
    "dave.store.jobs": ("Job", "JobState"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
