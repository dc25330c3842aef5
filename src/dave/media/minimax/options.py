"""What MiniMax takes beyond the shared request fields, per kind: its option models (each field
documented by its docstring) and its offers. Not for limits (rules.py) nor prices.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from dave.media.options import Offer, Options, WholeNumber
from dave.media.sources import SourceMedium


class ImageOptions(Options):
    """MiniMax's own image fields."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {"subject": "image"}

    seed: WholeNumber | None = None
    """The same seed and settings give a similar result. Unset: random."""
    width: WholeNumber | None = None
    """image-01: output width, 512–2048 px in steps of 8, with height (not with
    aspect_ratio)."""
    height: WholeNumber | None = None
    """image-01: output height, 512–2048 px in steps of 8, with width."""
    subject: str | None = None
    """A photo of one person (a single face) to keep in the image; JPEG or PNG under 10 MB,
    as a path, http(s) URL or data URI."""
    prompt_optimizer: bool | None = None
    """Let the service rewrite the prompt first (default off for images, on for videos)."""
    style: str | None = None
    """image-01-live: an art style (comic, vibrant, medieval, watercolor)."""
    style_weight: float | None = None
    """image-01-live: how strongly `style` applies, above 0 and at most 1 (0.8)."""


class VideoOptions(Options):
    """MiniMax's own video fields."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {"subject": "image"}

    subject: str | None = None
    """Subject-reference video (S2V-01): a photo of the one person to feature."""
    prompt_optimizer: bool | None = None
    """Let the service rewrite the prompt first (default on)."""
    fast_pretreatment: bool | None = None
    """Hailuo 2.3, 2.3-Fast and 02: a shorter prompt-optimizer step."""


class MusicOptions(Options):
    """MiniMax's own music fields."""

    lyrics: str | None = None
    """The words, lines separated by newlines, sections tagged [Verse], [Chorus], [Bridge], ...
    (up to 3,500 characters). Required for songs unless instrumental or lyrics_optimizer."""
    instrumental: bool | None = None
    """Song models: no vocals (the prompt is then required)."""
    lyrics_optimizer: bool | None = None
    """With no lyrics, let the service write them from the prompt."""
    cover_feature_id: str | None = None
    """A cover_feature_id from write_lyrics on a track (valid 24 h), for a cover with edited
    lyrics; needs lyrics."""
    sample_rate: WholeNumber | None = None
    """16000, 24000, 32000 or 44100 Hz."""
    bitrate: WholeNumber | None = None
    """32000, 64000, 128000 or 256000 bit/s."""
    response_format: Literal["url", "inline"] | None = None
    """`url` (a link dave downloads at once) or `inline` (hex in the answer, the default).
    Either way the result is a local file."""


class LyricsOptions(Options):
    """What MiniMax's lyrics requests take."""

    SOURCES: ClassVar[dict[str, SourceMedium]] = {"track": "audio"}

    mode: Literal["write", "edit"] = "write"
    """write: a full song; edit: revise or continue `lyrics`."""
    lyrics: str | None = None
    """edit: the lyrics to revise, up to 3,500 characters."""
    title: str | None = None
    """A song title, kept as given."""
    track: str | None = None
    """A song (path, URL or data URI; 6 s–6 min, ≤ 50 MB) whose lyrics to read; the answer
    also holds a cover_feature_id for a cover with `music`."""


OFFERS = (
    Offer(
        "image",
        ImageOptions,
        {"prompt": None, "n": "How many images to make, 1–9; each is billed.",
         "aspect_ratio": "Width:height: 1:1 (default), 16:9, 4:3, 3:2, 2:3, 3:4, 9:16, or 21:9 "
         "(image-01 only). Or give width and height instead.",
         "response_format": None},
        summary="MiniMax makes 1–9 images and can keep a person from a photo (subject)",
        model_note="image-01-live takes an art style",
    ),
    Offer(
        "video",
        VideoOptions,
        {"prompt": "What happens in the video, up to 2,000 characters. Hailuo models follow "
         "camera commands in brackets, such as [Pan left], [Push in] or [Static shot].",
         "image": None,
         "last_frame": "The exact last frame, together with a first frame in image "
         "(MiniMax-Hailuo-02).",
         "duration": "Length in seconds: 6 (default) or 10 (10 only below 1080P).",
         "resolution": "768P (default on Hailuo 2.3 and 02) or 1080P (6 s only); 512P on "
         "MiniMax-Hailuo-02 from a first frame; 720P (default) on the -01 models."},
        summary="MiniMax from a prompt, a first frame, a first and a last frame, or a photo of "
        "a person to feature (subject)",
        model_note="MiniMax-Hailuo-02 for a first + last frame, S2V-01 for a subject",
    ),
    Offer(
        "music",
        MusicOptions,
        {"prompt": "Style, mood and scene, up to 2,000 characters (10–300 for covers and older "
         "models); required for instrumentals.",
         "reference": "A song to cover (MP3, WAV or FLAC, 6 s–6 min, at most 50 MB).",
         "output_format": None},
        summary="MiniMax makes songs: from a style prompt and lyrics (write them first with "
        "write_lyrics, or set lyrics_optimizer), instrumentals (instrumental=true), or a cover "
        "of a reference track",
        model_note="music-cover with a reference or cover_feature_id",
    ),
    Offer(
        "lyrics",
        LyricsOptions,
        {"prompt": None},
        summary="MiniMax writes a full song from a theme (mode write), revises given lyrics "
        "(mode edit), or reads a track's own lyrics from the audio (track; also gives a "
        "cover_feature_id for a cover with generate_music)",
    ),
)  # fmt: skip
