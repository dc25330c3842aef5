"""MiniMax's rules for a request: models per mode, the duration × resolution matrix, sizes,
styles and the music families (../shared/api/minimax.md §2–§4), checked before any call.

Not for the wire format (dave.providers.minimax) nor for running requests (the Studio). Every
refusal is one InvalidRequest line naming the field, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dave.core.errors import InvalidRequest
from dave.media.capabilities import VideoMode, capability, default_model, models, providers
from dave.media.error_lines import shown_value
from dave.media.minimax.options import (
    OFFERS,
    ImageOptions,
    LyricsOptions,
    MusicOptions,
    VideoOptions,
)
from dave.media.minimax.prices import minimax_charge
from dave.media.requests import ImageRequest, LyricsRequest, MusicRequest, Request, VideoRequest
from dave.media.rule_checks import (
    ResolvedRequest,
    check_prompt,
    choose,
    completed,
    refuse_unsupported,
)
from dave.media.sources import Source, check_sources

#: What MiniMax takes, by kind (its offers); any other field set is refused.
_OFFERS = {offer.kind: offer for offer in OFFERS}

WHERE = "minimax"

# --- images (§2) ---------------------------------------------------------------------------

IMAGE_RATIOS = ("1:1", "16:9", "4:3", "3:2", "2:3", "3:4", "9:16", "21:9")
LIVE_RATIOS = IMAGE_RATIOS[:-1]  # 21:9 is image-01 only
#: dave's style names and the Chinese literals image-01-live takes.
STYLES = {"comic": "漫画", "vibrant": "元气", "medieval": "中世纪", "watercolor": "水彩"}
_IMAGE_FIELDS = _OFFERS["image"].accepted()

# --- video (§3) ----------------------------------------------------------------------------

HAILUO_23, HAILUO_FAST, HAILUO_02 = (
    "MiniMax-Hailuo-2.3",
    "MiniMax-Hailuo-2.3-Fast",
    "MiniMax-Hailuo-02",
)
#: Which modes each model does; "first-last" is image-to-video with a last frame.
VIDEO_MODES: dict[str, frozenset[str]] = {
    HAILUO_23: frozenset({"text", "image"}),
    HAILUO_FAST: frozenset({"image"}),
    HAILUO_02: frozenset({"text", "image", "first-last"}),
    "T2V-01-Director": frozenset({"text"}),
    "T2V-01": frozenset({"text"}),
    "I2V-01-Director": frozenset({"image"}),
    "I2V-01-live": frozenset({"image"}),
    "I2V-01": frozenset({"image"}),
    "S2V-01": frozenset({"subject"}),
}
_MODE_NAMES = {
    "text": "text-to-video",
    "image": "image-to-video",
    "first-last": "first + last frame video",
    "subject": "subject-reference video",
}
_HAILUO = {"768P": (6, 10), "1080P": (6,)}
#: Seconds allowed at each resolution (the first resolution is the default).
_MATRIX: dict[tuple[str, str], dict[str, tuple[int, ...]]] = {
    (HAILUO_02, "image"): {"768P": (6, 10), "512P": (6, 10), "1080P": (6,)},
}
# The 01 series is 720P 6 s; its 1080P row is not certain [I], so dave does not send it.
_SERIES_01 = {"720P": (6,)}
VIDEO_PROMPT_CHARS = 2000
_VIDEO_FIELDS = _OFFERS["video"].accepted()
_FAST_PRETREATMENT = frozenset({HAILUO_23, HAILUO_FAST, HAILUO_02})

# --- music and lyrics (§4) -----------------------------------------------------------------

SONG_MODELS = frozenset(
    {"music-2.5", "music-2.5+", "music-2.6", "music-2.6-free", "music-3.0", "music-3.0-free"}
)
COVER_MODELS = frozenset({"music-cover", "music-cover-free"})
OLD_MODELS = frozenset({"music-1.5", "music-2.0"})
SAMPLE_RATES = (16000, 24000, 32000, 44100)
BITRATES = (32000, 64000, 128000, 256000)
_MUSIC_FIELDS = _OFFERS["music"].accepted()
LYRICS_MODEL, COVER_MODEL = "lyrics-generation", "music-cover"
#: A reference track for a cover, in seconds.
TRACK_SECONDS = (6.0, 360.0)


def validate(request: Request, *, check_files: bool) -> ResolvedRequest:
    """Check a MiniMax request and fill in what it leaves out (model, duration, resolution)."""
    if isinstance(request, ImageRequest):
        return _image(request, check_files)
    if isinstance(request, VideoRequest):
        return _video(request, check_files)
    if isinstance(request, MusicRequest):
        return _music(request, check_files)
    if isinstance(request, LyricsRequest):
        return _lyrics(request, check_files)
    others = _other_providers(request.kind)
    raise InvalidRequest(f"minimax cannot make {request.kind} requests; use provider {others}")


def _other_providers(kind: str) -> str:
    """The providers other than MiniMax that make `kind` (x.ai when none do)."""
    able = [name for name in providers() if name != WHERE and models(name, kind)]
    return " or ".join(able) or "xai"


def _resolved(
    request: Request,
    model: str,
    update: dict[str, Any],
    sources: Mapping[str, Source],
    warnings: list[str],
    mode: VideoMode | None = None,
) -> ResolvedRequest:
    cap = capability(WHERE, model)
    if cap.deprecated:
        warnings.append(f"{model} is {cap.deprecated}")
    done = completed(request, model, update, sources)
    charge = minimax_charge(
        done.kind,
        model,
        n=getattr(done, "n", 1),
        resolution=getattr(done, "resolution", None),
        duration=getattr(done, "duration", None),
    )
    return ResolvedRequest(done, cap, mode, sources, tuple(warnings), charge)


def _model(request: Request, kind: str, default: str) -> str:
    model = request.model or default
    if model not in models(WHERE, kind):
        known = ", ".join(models(WHERE, kind))
        raise InvalidRequest(f"{model!r} is not a MiniMax {kind} model; use one of {known}")
    return model


def _sources(request: Request, check_files: bool) -> dict[str, Source]:
    return check_sources(request.source_fields()) if check_files else {}


# --- images --------------------------------------------------------------------------------


def _image(request: ImageRequest, check_files: bool) -> ResolvedRequest:
    opts = ImageOptions.of(request)
    model = _model(request, "image", default_model(WHERE, "image"))
    refuse_unsupported(request, _IMAGE_FIELDS, WHERE)
    prompt = check_prompt(request.prompt, 1500, model)
    if not 1 <= request.n <= 9:
        raise InvalidRequest(f"n must be between 1 and 9 for {model}, got {request.n}")
    ratios = IMAGE_RATIOS if model == "image-01" else LIVE_RATIOS
    hint = " (21:9 is image-01 only)" if model != "image-01" else ""
    ratio = choose("aspect_ratio", request.aspect_ratio, ratios, model, hint)
    _check_size(request, model, ratio)
    style = _style(request, model)
    if opts.seed is not None and not -(2**63) <= opts.seed < 2**63:
        raise InvalidRequest(f"seed {opts.seed} does not fit in 64 bits")
    sources = _sources(request, check_files)
    subject = sources.get("subject")
    if subject is not None and subject.mime not in (None, "image/jpeg", "image/png"):
        raise InvalidRequest(f"subject is {subject.mime}; MiniMax takes a JPEG or PNG portrait")
    update = {"prompt": prompt, "aspect_ratio": ratio, "style": style}
    return _resolved(request, model, update, sources, [])


def _check_size(request: ImageRequest, model: str, ratio: str | None) -> None:
    opts = ImageOptions.of(request)
    width, height = opts.width, opts.height
    if width is None and height is None:
        return
    if width is None or height is None:
        raise InvalidRequest("width and height go together: set both or neither")
    if model != "image-01":
        raise InvalidRequest(f"width and height are image-01 only, not {model}; use aspect_ratio")
    if ratio is not None:
        raise InvalidRequest("width/height and aspect_ratio cannot be combined; choose one")
    for name, value in (("width", width), ("height", height)):
        if not 512 <= value <= 2048 or value % 8:
            raise InvalidRequest(f"{name} {value} must be 512–2048 and a multiple of 8")


def _style(request: ImageRequest, model: str) -> str | None:
    opts = ImageOptions.of(request)
    if opts.style is None:
        if opts.style_weight is not None:
            raise InvalidRequest("style_weight needs a style")
        return None
    if model != "image-01-live":
        raise InvalidRequest(f"style is image-01-live only, not {model}; set model image-01-live")
    wanted = opts.style.strip()
    literal = STYLES.get(wanted.lower(), wanted if wanted in STYLES.values() else None)
    if literal is None:
        raise InvalidRequest(
            f"style {shown_value(opts.style)} is not a MiniMax style; "
            f"use one of {', '.join(STYLES)}"
        )
    weight = opts.style_weight
    if weight is not None and not 0 < weight <= 1:
        raise InvalidRequest(f"style_weight {weight:g} must be above 0 and at most 1")
    return literal


# --- video ---------------------------------------------------------------------------------


def _video_mode(request: VideoRequest) -> tuple[VideoMode, str]:
    """dave's mode (for ResolvedRequest) and MiniMax's (which tells first+last apart)."""
    mode = request.mode  # refuses subject with image, and the like
    if mode not in ("text", "image", "subject"):
        raise InvalidRequest(f"minimax cannot do {mode} videos; use provider xai")
    if request.last_frame is not None:
        if request.image is None:
            raise InvalidRequest("last_frame needs a first frame: set image too")
        return mode, "first-last"
    return mode, mode


def _video(request: VideoRequest, check_files: bool) -> ResolvedRequest:
    opts = VideoOptions.of(request)
    refuse_unsupported(request, _VIDEO_FIELDS, WHERE)
    mode, wire_mode = _video_mode(request)
    default = {"first-last": HAILUO_02, "subject": "S2V-01"}.get(wire_mode, HAILUO_23)
    model = _model(request, "video", default)
    if wire_mode not in VIDEO_MODES[model]:
        able = [name for name, modes in VIDEO_MODES.items() if wire_mode in modes]
        need = " (it needs a first frame: set image)" if "image" in VIDEO_MODES[model] else ""
        raise InvalidRequest(
            f"{model} cannot do {_MODE_NAMES[wire_mode]}{need}; use {' or '.join(able)}"
        )
    prompt = check_prompt(
        request.prompt, VIDEO_PROMPT_CHARS, model, may_be_empty=wire_mode in ("image", "first-last")
    )
    allowed = _MATRIX.get((model, wire_mode)) or (_HAILUO if "Hailuo" in model else _SERIES_01)
    resolution = _resolution(request.resolution, allowed, model, wire_mode)
    duration = request.duration if request.duration is not None else 6
    if duration not in allowed[resolution]:
        takes = " or ".join(f"{s} s" for s in allowed[resolution])
        raise InvalidRequest(
            f"duration {duration} s is not available for {model} at {resolution}; "
            f"{resolution} takes {takes}"
        )
    if opts.fast_pretreatment is not None and model not in _FAST_PRETREATMENT:
        raise InvalidRequest(f"fast_pretreatment is Hailuo 2.3, 2.3-Fast and 02 only, not {model}")
    sources = _sources(request, check_files)
    for field in ("image", "last_frame"):
        _check_frame(field, sources.get(field))
    update = {"prompt": prompt, "resolution": resolution, "duration": duration}
    return _resolved(request, model, update, sources, [], mode)


def _resolution(
    value: str | None, allowed: Mapping[str, tuple[int, ...]], model: str, mode: str
) -> str:
    if value is None:
        return next(iter(allowed))
    tidy = value.strip().upper()
    if tidy not in allowed:
        where = f"{model} {_MODE_NAMES[mode]}"
        raise InvalidRequest(
            f"resolution {shown_value(value)} is not supported by {where}; use {', '.join(allowed)}"
        )
    return tidy


def _check_frame(field: str, source: Source | None) -> None:
    """§3.2: short side above 300 px, aspect between 2:5 and 5:2 (when the size is known)."""
    if source is None or not source.width or not source.height:
        return
    short, ratio = min(source.width, source.height), source.width / source.height
    if short <= 300:
        raise InvalidRequest(
            f"{field} is {source.width}x{source.height}; its short side must be over 300 px"
        )
    if not 0.4 <= ratio <= 2.5:
        raise InvalidRequest(
            f"{field} is {source.width}x{source.height}; its aspect must be 2:5 to 5:2"
        )


# --- music ---------------------------------------------------------------------------------


def _music(request: MusicRequest, check_files: bool) -> ResolvedRequest:
    opts = MusicOptions.of(request)
    refuse_unsupported(request, _MUSIC_FIELDS, WHERE)
    covering = request.reference is not None or opts.cover_feature_id is not None
    model = _model(request, "music", COVER_MODEL if covering else default_model(WHERE, "music"))
    if model in COVER_MODELS:
        update = _cover(request, model)
    elif covering:
        field = "reference" if request.reference is not None else "cover_feature_id"
        raise InvalidRequest(f"{field} is for cover models (music-cover), not {model}")
    elif model in OLD_MODELS:
        update = _old_song(request, model)
    else:
        update = _song(request, model)
    choose("sample_rate", _text(opts.sample_rate), tuple(map(str, SAMPLE_RATES)), model)
    choose("bitrate", _text(opts.bitrate), tuple(map(str, BITRATES)), model)
    fmt = choose("output_format", request.output_format, ("mp3", "wav", "pcm"), model)
    if fmt == "pcm":
        raise InvalidRequest("output_format pcm is raw samples dave cannot check; use mp3 or wav")
    sources = _sources(request, check_files)
    _check_track("reference", sources.get("reference"))
    return _resolved(request, model, {**update, "output_format": fmt}, sources, [])


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _length(field: str, text: str | None, low: int, high: int, model: str) -> None:
    size = len(text or "")
    if not low <= size <= high:
        raise InvalidRequest(f"{field} is {size:,} characters; {model} takes {low:,}–{high:,}")


def _lyrics_text(value: str | None) -> str | None:
    text = value.strip() if value is not None else None
    if text is not None and "\x00" in text:
        raise InvalidRequest("lyrics contain a NUL character")
    return text or None


def _song(request: MusicRequest, model: str) -> dict[str, Any]:
    opts = MusicOptions.of(request)
    prompt = check_prompt(request.prompt, 2000, model, may_be_empty=not opts.instrumental)
    lyrics = _lyrics_text(opts.lyrics)
    if opts.instrumental:
        if lyrics is not None:
            raise InvalidRequest("lyrics cannot be combined with instrumental; drop one")
    elif lyrics is None and not opts.lyrics_optimizer:
        raise InvalidRequest(
            "lyrics are required for a song; or set instrumental, or lyrics_optimizer to let "
            "MiniMax write them"
        )
    if lyrics is not None:
        _length("lyrics", lyrics, 1, 3500, model)
    return {"prompt": prompt, "lyrics": lyrics}


def _old_song(request: MusicRequest, model: str) -> dict[str, Any]:
    opts = MusicOptions.of(request)
    for field in ("instrumental", "lyrics_optimizer"):
        if getattr(request, field) is not None:
            raise InvalidRequest(f"{field} is not supported by {model}; use music-2.6")
    prompt = check_prompt(request.prompt, 300, model)
    _length("prompt", prompt, 10, 300, model)
    lyrics = _lyrics_text(opts.lyrics)
    _length("lyrics", lyrics, 10, 600, model)
    return {"prompt": prompt, "lyrics": lyrics}


def _cover(request: MusicRequest, model: str) -> dict[str, Any]:
    opts = MusicOptions.of(request)
    for field in ("instrumental", "lyrics_optimizer"):
        if getattr(request, field) is not None:
            raise InvalidRequest(f"{field} is not supported by {model} (a cover keeps the song)")
    if (request.reference is None) == (opts.cover_feature_id is None):
        raise InvalidRequest(
            f"{model} needs exactly one of reference (a track) or cover_feature_id"
        )
    prompt = check_prompt(request.prompt, 300, model)
    _length("prompt", prompt, 10, 300, model)
    lyrics = _lyrics_text(opts.lyrics)
    if opts.cover_feature_id is not None:
        if not opts.cover_feature_id.strip():
            raise InvalidRequest("cover_feature_id is empty")
        if lyrics is None:
            raise InvalidRequest("cover_feature_id needs lyrics (edit the ones `lyrics` read)")
    if lyrics is not None:
        _length("lyrics", lyrics, 10, 1000, model)
    return {"prompt": prompt, "lyrics": lyrics}


#: A reference track's size limit (§4.1: ≤ 50 MB); dave's own cap for audio sources is higher.
TRACK_BYTES = 50 * 1000 * 1000


def _check_track(field: str, source: Source | None) -> None:
    if source is not None and (source.size_bytes or 0) > TRACK_BYTES:
        raise InvalidRequest(
            f"{field} is {source.size_bytes:,} bytes; MiniMax takes tracks up to 50 MB"
        )
    if source is None or source.duration_s is None:
        return
    low, high = TRACK_SECONDS
    if not low <= source.duration_s <= high:
        raise InvalidRequest(f"{field} is {source.duration_s:g} s long; MiniMax takes 6 s to 6 min")


# --- lyrics --------------------------------------------------------------------------------


def _lyrics(request: LyricsRequest, check_files: bool) -> ResolvedRequest:
    opts = LyricsOptions.of(request)
    if opts.track is not None:
        model = _model(request, "lyrics", COVER_MODEL)
        if model != COVER_MODEL:
            raise InvalidRequest(f"reading a track's lyrics takes model {COVER_MODEL}, not {model}")
        for field in ("lyrics", "title"):
            if getattr(request, field) is not None:
                raise InvalidRequest(f"{field} is not used when reading a track; leave it unset")
        if opts.mode != "write" or request.prompt.strip():
            raise InvalidRequest("a track is read as it is: leave prompt and mode unset")
        sources = _sources(request, check_files)
        _check_track("track", sources.get("track"))
        return _resolved(request, model, {}, sources, [])
    model = _model(request, "lyrics", LYRICS_MODEL)
    if model != LYRICS_MODEL:
        raise InvalidRequest(f"{model} reads a track's lyrics: set track, or leave model unset")
    prompt = check_prompt(request.prompt, 2000, model, may_be_empty=True)
    lyrics = _lyrics_text(opts.lyrics)
    if opts.mode == "edit":
        if lyrics is None:
            raise InvalidRequest("mode edit needs the lyrics to revise")
        _length("lyrics", lyrics, 1, 3500, model)
    elif lyrics is not None:
        raise InvalidRequest("lyrics are only taken with mode edit")
    return _resolved(request, model, {"prompt": prompt, "lyrics": lyrics}, {}, [])
