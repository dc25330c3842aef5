"""The emulator's MiniMax music (minimax.md §4): music_generation per model family, lyrics and
cover pre-processing, answering real MP3/WAV (hex or a /files URL) and tagged lyrics text.
Not the key check or the envelope (`wire.py`), nor images and video.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import json
import re
import secrets
import time
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from ..makers import make_audio
from ..state import EmulatorState
from ..tokens import FileSpec, trim_prompt
from ..wire import (
    check_http_url,
    file_url,
    get_bool,
    get_int,
    get_object,
    get_str,
    own_file,
    read_json_object,
    reject_unknown,
    state_of,
)
from .wire import answer, config_of, endpoint, invalid

SONG_MODELS: tuple[str, ...] = ("music-2.5", "music-2.5+", "music-2.6", "music-2.6-free")
SONG_MODELS += ("music-3.0", "music-3.0-free")
COVER_MODELS = ("music-cover", "music-cover-free")
OLD_MODELS = ("music-1.5", "music-2.0")
MUSIC_FIELDS = frozenset(
    {"model", "prompt", "lyrics", "is_instrumental", "lyrics_optimizer", "audio_setting"}
    | {"output_format", "stream", "aigc_watermark", "audio_url", "audio_base64"}
    | {"cover_feature_id"}
)
SAMPLE_RATES = (16000, 24000, 32000, 44100)
BITRATES = (32000, 64000, 128000, 256000)
_FEATURE_ID = re.compile(r"[0-9a-f]{32}")
# Reference tracks: 6 s to 6 min; a URL the emulator cannot look into counts as this long.
TRACK_SPAN = (6.0, 360.0)
ASSUMED_TRACK_S = 30.0


def _length(field: str, text: str, low: int, high: int, model: str) -> None:
    if not low <= len(text) <= high:
        raise invalid(f"{field} must be {low}-{high} characters for {model}, got {len(text)}")


def _song_seconds(lyrics: str, instrumental: bool) -> float:
    """A short song: longer with more lines, so the length visibly follows the lyrics."""
    lines = [line for line in lyrics.splitlines() if line.strip() and not line.startswith("[")]
    return 5.0 if instrumental or not lines else float(min(20, 3 + len(lines)))


def _track(body: dict[str, Any], where: str, state: EmulatorState) -> tuple[str, float]:
    """Check `audio_url` / `audio_base64` (exactly one); a digest and the track's length."""
    url, data = get_str(body, "audio_url"), get_str(body, "audio_base64")
    if (url is None) == (data is None):
        raise invalid(f"{where} needs exactly one of audio_url or audio_base64")
    if url is not None:
        check_http_url(url, "audio_url")
        spec = own_file(url, state)
        seconds = spec.s if spec is not None and spec.kind == "audio" and spec.s else None
        digest = hashlib.md5(url.encode()).hexdigest()
        return digest, seconds or ASSUMED_TRACK_S
    try:
        raw = base64.b64decode(data or "", validate=True)
    except (binascii.Error, ValueError):
        raise invalid("audio_base64 is not valid base64") from None
    seconds = _audio_seconds(raw)
    if not TRACK_SPAN[0] <= seconds <= TRACK_SPAN[1]:
        raise invalid(f"the reference audio must last 6 s to 6 min, got {seconds:.1f} s")
    return hashlib.md5(raw).hexdigest(), seconds


def _audio_seconds(raw: bytes) -> float:
    import av  # deferred: only tracks sent inline need it

    try:
        with av.open(io.BytesIO(raw), mode="r") as container:
            if not container.streams.audio or container.duration is None:
                raise ValueError("no audio")
            return container.duration / av.time_base
    except (av.FFmpegError, ValueError, IndexError):
        raise invalid("audio_base64 does not hold readable audio") from None


def _check_family(body: dict[str, Any], model: str, state: EmulatorState) -> tuple[str, float]:
    """Fields by model family; the prompt the sound is made from and the song's length."""
    prompt = get_str(body, "prompt") or ""
    lyrics = get_str(body, "lyrics") or ""
    instrumental = bool(get_bool(body, "is_instrumental"))
    optimizer = bool(get_bool(body, "lyrics_optimizer"))
    cover_fields = [key for key in ("audio_url", "audio_base64", "cover_feature_id") if key in body]
    if model in COVER_MODELS:
        for key in ("is_instrumental", "lyrics_optimizer"):
            if key in body:
                raise invalid(f"{key} is not supported by {model}")
        _length("prompt", prompt, 10, 300, model)
        feature = get_str(body, "cover_feature_id")
        if feature is not None:
            if "audio_url" in body or "audio_base64" in body:
                raise invalid("cover_feature_id cannot be combined with audio_url/audio_base64")
            if not _FEATURE_ID.fullmatch(feature):
                raise invalid("cover_feature_id is unknown or expired")
            _length("lyrics", lyrics, 10, 1000, model)
            return prompt, _song_seconds(lyrics, False)
        _, seconds = _track(body, model, state)
        if lyrics:
            _length("lyrics", lyrics, 10, 1000, model)
        return prompt, min(seconds, 20.0)
    if cover_fields:
        raise invalid(f"{cover_fields[0]} is only supported by cover models")
    if model in OLD_MODELS:
        for key in ("is_instrumental", "lyrics_optimizer"):
            if key in body:
                raise invalid(f"{key} is not supported by {model}")
        _length("prompt", prompt, 10, 300, model)
        _length("lyrics", lyrics, 10, 600, model)
        return prompt, _song_seconds(lyrics, False)
    _length("prompt", prompt, 1 if instrumental else 0, 2000, model)
    if not (instrumental or optimizer):
        _length("lyrics", lyrics, 1, 3500, model)
    elif lyrics:
        _length("lyrics", lyrics, 0, 3500, model)
    return prompt, _song_seconds(lyrics, instrumental)


def _audio_setting(body: dict[str, Any]) -> tuple[int, int, Literal["mp3", "wav"]]:
    setting = get_object(body, "audio_setting") or {}
    reject_unknown(setting, {"sample_rate", "bitrate", "format"}, prefix="audio_setting.")
    rate = get_int(setting, "sample_rate") or 44100
    bitrate = get_int(setting, "bitrate") or 256000
    fmt = get_str(setting, "format") or "mp3"
    if rate not in SAMPLE_RATES:
        raise invalid(f"audio_setting.sample_rate {rate} is not one of {SAMPLE_RATES}")
    if bitrate not in BITRATES:
        raise invalid(f"audio_setting.bitrate {bitrate} is not one of {BITRATES}")
    if fmt not in ("mp3", "wav", "pcm"):
        raise invalid(f"audio_setting.format {fmt!r} is not one of mp3, wav, pcm")
    if fmt == "pcm":
        raise invalid("audio_setting.format pcm: the emulator makes mp3 and wav only")
    return rate, bitrate, "wav" if fmt == "wav" else "mp3"


@endpoint
async def music_generation(request: Request) -> Response:
    body = await read_json_object(request)
    reject_unknown(body, MUSIC_FIELDS)
    model = get_str(body, "model", required=True) or ""
    if model not in SONG_MODELS + COVER_MODELS + OLD_MODELS:
        raise invalid(f"model {model!r} is not supported")
    prompt, seconds = _check_family(body, model, state_of(request))
    rate, bitrate, fmt = _audio_setting(body)
    output = get_str(body, "output_format") or "hex"
    if output not in ("hex", "url"):
        raise invalid(f"output_format {output!r} is not one of hex, url")
    if get_bool(body, "stream"):
        raise invalid("stream: the emulator answers whole songs only; send stream false")
    get_bool(body, "aigc_watermark")
    sound = trim_prompt(prompt or model)
    if output == "url":
        # /files makes audio at 44.1 kHz, so a URL answer is made (and reported) at that rate.
        rate = 44100
        raw = await asyncio.to_thread(make_audio, sound, seconds, fmt)
        spec = FileSpec(kind="audio", fmt=fmt, prompt=sound, s=seconds,
                        exp=round(time.time() + config_of(request).url_ttl_s, 3))  # fmt: skip
        audio = file_url(request, spec)
    else:
        raw = await asyncio.to_thread(make_audio, sound, seconds, fmt, rate)
        audio = raw.hex()
    extra = {
        "music_duration": round(seconds * 1000),
        "music_sample_rate": rate,
        "music_channel": 2,
        "bitrate": bitrate,
        "music_size": len(raw),
    }
    return answer(
        {
            "data": {"status": 2, "audio": audio},
            "trace_id": secrets.token_hex(16),
            "analysis_info": None,
            "extra_info": extra,
        }
    )


@endpoint
async def lyrics_generation(request: Request) -> Response:
    body = await read_json_object(request)
    reject_unknown(body, {"mode", "prompt", "lyrics", "title"})
    mode = get_str(body, "mode", required=True)
    if mode not in ("write_full_song", "edit"):
        raise invalid(f"mode {mode!r} is not one of write_full_song, edit")
    prompt = get_str(body, "prompt") or ""
    _length("prompt", prompt, 0, 2000, "lyrics_generation")
    lyrics = get_str(body, "lyrics")
    if mode == "edit":
        _length("lyrics", lyrics or "", 1, 3500, "lyrics_generation")
    elif lyrics is not None:
        raise invalid("lyrics are only taken with mode edit")
    title = get_str(body, "title")
    theme = prompt.strip() or "a song about nothing in particular"
    if mode == "edit":
        text = f"{(lyrics or '').strip()}\n\n[Bridge]\nand then it changed: {theme}\n"
    else:
        text = (
            f"[Intro]\nHmm, hmm\n\n[Verse]\n{theme}\nwe sing it line by line\n\n"
            f"[Chorus]\n{theme}\nall night long\n\n[Outro]\nHmm, hmm\n"
        )
    words = [word for word in re.findall(r"[A-Za-z]+", theme.lower()) if len(word) > 3]
    tags = ", ".join(["pop", *words[:3]])
    return answer({"song_title": title or theme[:40].title(), "style_tags": tags, "lyrics": text})


@endpoint
async def cover_preprocess(request: Request) -> Response:
    body = await read_json_object(request)
    reject_unknown(body, {"model", "audio_url", "audio_base64"})
    model = get_str(body, "model", required=True)
    if model != "music-cover":
        raise invalid(f"model {model!r} is not supported; use music-cover")
    digest, seconds = _track(body, "music_cover_preprocess", state_of(request))
    # Identical audio gives an identical id (MiniMax deduplicates by MD5).
    cut = [0.0, round(seconds / 4, 2), round(seconds / 2, 2), round(seconds * 3 / 4, 2)]
    labels = ["intro", "verse", "chorus", "outro"]
    segments = [
        {"start": start, "end": end, "label": label}
        for start, end, label in zip(cut, [*cut[1:], round(seconds, 2)], labels, strict=True)
    ]
    structure = {"num_segments": len(segments), "segments": segments}
    lyrics = "[Verse]\nla la la, the words we heard\n\n[Chorus]\noh oh oh, sing it back\n"
    return answer(
        {
            "cover_feature_id": digest,
            "formatted_lyrics": lyrics,
            "structure_result": json.dumps(structure),
            "audio_duration": round(seconds, 2),
            "trace_id": secrets.token_hex(16),
        }
    )
