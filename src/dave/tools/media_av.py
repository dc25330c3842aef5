"""The timed media tools' parameters: generate_video, generate_music and write_lyrics, each
marked with the providers that take it.

Not for checking values (the request models and the provider rules do, before any network
call) nor for building or running the tools (media_spec.py, media_run.py).
"""

from __future__ import annotations

from dave.media.requests import LyricsRequest, MusicRequest, VideoRequest
from dave.tools.media_image import SEED
from dave.tools.media_spec import Kind, param, who

XAI, MINIMAX, STABILITY = "xai", "minimax", "stability"
_VIDEOS = (XAI, MINIMAX)


def _video_text(providers: tuple[str, ...]) -> str:
    inputs = {
        XAI: "x.ai from a prompt or a first frame",
        MINIMAX: "MiniMax from a prompt, a first frame, a first and a last frame, or a photo of "
        "a person to feature (subject)",
    }
    if len(providers) == 1:
        made = inputs[providers[0]].split(" ", 1)[1]
        start = f"Make one video with {who(providers)}, {made}."
    else:
        start = f"Make one video with {who(providers)}: " + "; ".join(inputs[p] for p in providers)
        start += "."
    return (
        f"{start} Billed per video (x.ai per second); waits until the video is ready (often a "
        "minute or more). The result gives the asset's id, file path and duration."
    )


VIDEO = Kind(
    kind="video",
    tool="generate_video",
    params=(
        param(
            VideoRequest,
            "prompt",
            (XAI,),
            description="What happens in the video, up to 4,096 characters.",
        ),
        param(
            VideoRequest,
            "prompt",
            (MINIMAX,),
            description="What happens in the video, up to 2,000 characters. Hailuo models "
            "follow camera commands in brackets, such as [Pan left], [Push in] or [Static shot].",
        ),
        param(
            VideoRequest,
            "image",
            _VIDEOS,
            description="Image-to-video: the first frame. Unset makes the video from the prompt "
            "alone.",
            source=True,
        ),
        param(
            VideoRequest,
            "last_frame",
            (MINIMAX,),
            description="The exact last frame, together with a first frame in image "
            "(MiniMax-Hailuo-02).",
            source=True,
        ),
        param(VideoRequest, "subject", (MINIMAX,), source=True),
        param(
            VideoRequest,
            "duration",
            (XAI,),
            description="Length in whole seconds, 1-15 (default 8); billed per second.",
        ),
        param(
            VideoRequest,
            "duration",
            (MINIMAX,),
            description="Length in seconds: 6 (default) or 10 (10 only below 1080P).",
        ),
        param(VideoRequest, "aspect_ratio", (XAI,)),
        param(VideoRequest, "resolution", (XAI,)),
        param(
            VideoRequest,
            "resolution",
            (MINIMAX,),
            description="768P (default on Hailuo 2.3 and 02) or 1080P (6 s only); 512P on "
            "MiniMax-Hailuo-02 from a first frame; 720P (default) on the -01 models.",
        ),
        param(VideoRequest, "prompt_optimizer", (MINIMAX,)),
        param(VideoRequest, "fast_pretreatment", (MINIMAX,)),
    ),
    describe=_video_text,
    model_notes={
        XAI: "grok-imagine-video-1.5 adds 1080p at a higher price",
        MINIMAX: "MiniMax-Hailuo-02 for a first + last frame, S2V-01 for a subject",
    },
)


def _music_text(providers: tuple[str, ...]) -> str:
    ways = {
        MINIMAX: "MiniMax makes songs: from a style prompt and lyrics (write them first with "
        "write_lyrics, or set lyrics_optimizer), instrumentals (instrumental=true), or a cover "
        "of a reference track",
        STABILITY: "Stability's Stable Audio makes music or sound from an English prompt (with "
        "a reference: audio-to-audio; with mask_start/mask_end: regenerate a part of it)",
    }
    done = "; ".join(ways[p] for p in providers)
    return (
        f"Make music with {who(providers)}. {done}. Billed per track; the result gives the "
        "audio asset's id, file path and duration."
    )


MUSIC = Kind(
    kind="music",
    tool="generate_music",
    params=(
        param(
            MusicRequest,
            "prompt",
            (MINIMAX,),
            description="Style, mood and scene, up to 2,000 characters (10-300 for covers); "
            "required for instrumentals.",
        ),
        param(
            MusicRequest,
            "prompt",
            (STABILITY,),
            description="The sound or music to make, in English, up to 10,000 characters.",
        ),
        param(MusicRequest, "lyrics", (MINIMAX,)),
        param(MusicRequest, "instrumental", (MINIMAX,)),
        param(MusicRequest, "lyrics_optimizer", (MINIMAX,)),
        param(
            MusicRequest,
            "reference",
            (MINIMAX,),
            description="A song to cover (MP3, WAV or FLAC, 6 s-6 min, at most 50 MB).",
            source=True,
        ),
        param(
            MusicRequest,
            "reference",
            (STABILITY,),
            description="Audio-to-audio or inpaint: the input track (MP3 or WAV, 6-190 s).",
            source=True,
        ),
        param(
            MusicRequest,
            "cover_feature_id",
            (MINIMAX,),
            description="A cover_feature_id from write_lyrics on a track (valid 24 h), for a "
            "cover with edited lyrics; needs lyrics.",
        ),
        param(MusicRequest, "duration", (STABILITY,)),
        param(MusicRequest, "steps", (STABILITY,)),
        param(MusicRequest, "cfg_scale", (STABILITY,)),
        param(MusicRequest, "strength", (STABILITY,)),
        param(MusicRequest, "mask_start", (STABILITY,)),
        param(MusicRequest, "mask_end", (STABILITY,)),
        param(MusicRequest, "seed", (STABILITY,), description=SEED[STABILITY]),
        param(
            MusicRequest,
            "output_format",
            (MINIMAX, STABILITY),
            description="The audio file's format: mp3 (default) or wav.",
        ),
    ),
    describe=_music_text,
    model_notes={
        MINIMAX: "music-cover with a reference or cover_feature_id",
        STABILITY: "stable-audio-3 makes up to 380 s",
    },
)


def _lyrics_text(providers: tuple[str, ...]) -> str:
    return (
        f"Write song lyrics with {who(providers)}: a full song from a theme (mode write), a "
        "revision of given lyrics (mode edit), or a track's own lyrics read from the audio "
        "(track; also gives a cover_feature_id for a cover with generate_music). The result "
        "holds the lyrics text, a title and style tags that suit generate_music's prompt."
    )


LYRICS = Kind(
    kind="lyrics",
    tool="write_lyrics",
    params=(
        *(param(LyricsRequest, name, (MINIMAX,)) for name in ("prompt", "mode", "lyrics", "title")),
        param(
            LyricsRequest,
            "track",
            (MINIMAX,),
            description="A song whose lyrics to read (6 s-6 min, at most 50 MB); the answer "
            "also holds a cover_feature_id for a cover with generate_music.",
            source=True,
        ),
    ),
    describe=_lyrics_text,
    model_for=frozenset(),
)
