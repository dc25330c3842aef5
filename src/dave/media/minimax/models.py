"""MiniMax's media models (../shared/api/minimax.md §2–§4) and which one dave uses for each
kind. The detailed rules (sizes, duration × resolution, music fields) live in rules.py;
prices beside this module."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dave.media.model_rows import ModelCapability


def _mm(
    model: str, kinds: tuple[str, ...], note: str, *, deprecated: str | None = None
) -> ModelCapability:
    return ModelCapability("minimax", model, kinds, note=note, deprecated=deprecated)


ROWS = (
    _mm("image-01", ("image",), "text-to-image and character reference; n 1–9, 512–2048 px"),
    _mm("image-01-live", ("image",), "image-01 with art styles (comic, vibrant, medieval, ...)"),
    _mm("MiniMax-Hailuo-2.3", ("video",), "text and first-frame video, 768P 6/10 s, 1080P 6 s"),
    _mm("MiniMax-Hailuo-2.3-Fast", ("video",), "first-frame video only, faster and cheaper"),
    _mm("MiniMax-Hailuo-02", ("video",), "text, first frame, first + last frame; 512P–1080P"),
    _mm("T2V-01-Director", ("video",), "text-to-video with camera commands, 720P 6 s"),
    _mm("T2V-01", ("video",), "text-to-video, 720P 6 s"),
    _mm("I2V-01-Director", ("video",), "first-frame video with camera commands, 720P 6 s"),
    _mm("I2V-01-live", ("video",), "first-frame video for illustrations, 720P 6 s"),
    _mm("I2V-01", ("video",), "first-frame video, 720P 6 s"),
    _mm("S2V-01", ("video",), "subject-reference video (one face), 720P 6 s"),
    _mm("music-2.6", ("music",), "songs from a prompt and lyrics, or instrumentals"),
    _mm("music-3.0", ("music",), "songs from a prompt and lyrics, or instrumentals"),
    _mm("music-2.5", ("music",), "songs from a prompt and lyrics"),
    _mm("music-2.5+", ("music",), "songs from a prompt and lyrics"),
    _mm("music-2.0", ("music",), "songs; prompt 10–300, lyrics 10–600 characters"),
    _mm("music-1.5", ("music",), "songs; prompt 10–300, lyrics 10–600 characters"),
    _mm(
        "music-cover",
        ("music", "lyrics"),
        "a cover of a reference track; as lyrics: a track's lyrics and cover_feature_id",
    ),
    _mm("music-2.6-free", ("music",), "free tier, RPM 3", deprecated="discontinued 2026-08-20"),
    _mm("music-3.0-free", ("music",), "free tier, RPM 3", deprecated="discontinued 2026-08-20"),
    _mm("music-cover-free", ("music",), "free tier", deprecated="discontinued 2026-08-20"),
    # The lyrics endpoint takes no model; this name stands for it in jobs and prices.
    _mm("lyrics-generation", ("lyrics",), "writes a song's lyrics, or edits given lyrics"),
)

DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "image": "image-01",
        "video": "MiniMax-Hailuo-2.3",
        "music": "music-2.6",
        "lyrics": "lyrics-generation",
    }
)

#: How dave names the provider: in full (tool descriptions) and short (messages).
LABEL = "MiniMax"
SHORT_LABEL = "MiniMax"
#: Where the provider's API sits on the built-in emulator (under a prefix:
#: its own paths start /v1, as x.ai's do).
OFFLINE_PREFIX = "/minimax"
