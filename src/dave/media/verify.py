"""Checks that a media file is what it claims: size, format, that it decodes, its dimensions.

Not for fetching or storing files; sync and blocking, so async code calls it in a thread.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from dave.core.errors import VerificationFailed

if TYPE_CHECKING:
    import av.container
    import av.stream

Medium = Literal["image", "video", "audio", "text"]

# Pillow format → (mime, file extension). Outputs from x.ai are JPEG; MiniMax and Stability
# give PNG/JPEG/WEBP; nothing else is accepted as a finished image.
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}

# FFmpeg demuxer name → (mime, ext). The mov/mp4 demuxer is one; its ftyp brand is not checked.
VIDEO_FORMATS: dict[str, tuple[str, str]] = {
    "mov,mp4,m4a,3gp,3g2,mj2": ("video/mp4", "mp4"),
    "matroska,webm": ("video/webm", "webm"),
}
AUDIO_FORMATS: dict[str, tuple[str, str]] = {
    "mp3": ("audio/mpeg", "mp3"),
    "wav": ("audio/wav", "wav"),
    "flac": ("audio/flac", "flac"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("audio/mp4", "m4a"),
}


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a probe learned about a file."""

    mime: str
    ext: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


Readable = str | os.PathLike[str] | BinaryIO


def _fail(path: object, what: str) -> VerificationFailed:
    text = str(path)
    return VerificationFailed(f"{text if text.isprintable() else repr(text)}: {what}")


def _open_arg(source: Readable, name: str | None) -> tuple[str | BinaryIO, str]:
    """What Pillow/PyAV open, and the name messages use (a path, or `name` for a stream)."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source), name or os.fspath(source)
    return source, name or "stream"


def probe_image(source: Readable, *, name: str | None = None) -> MediaInfo:
    """Check the whole image (so truncation shows) and report its mime, extension and size."""
    from PIL import Image  # imported here: Pillow and PyAV add ~100 ms to every start-up

    src, path = _open_arg(source, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(src) as image:
                image_format = image.format or "unknown"
                width, height = image.size
                if image_format == "PNG":
                    # Every chunk's CRC and the closing IEND are checked without inflating the
                    # pixels: truncation and damaged bytes show, at a few percent of a decode
                    # (a 1536² PNG: ~0.1 ms against ~27 ms).
                    image.verify()
                else:
                    if image_format == "JPEG":
                        # Decoding at 1/8 scale still reads every entropy-coded byte, so a
                        # truncated or corrupt file fails the same way, at a third of the CPU.
                        image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail(path, "image has too many pixels to decode safely") from None
    except Exception as err:  # Pillow raises many types for bad bytes
        raise _fail(path, f"not a decodable image ({_reason(err)})") from None
    if image_format not in IMAGE_FORMATS:
        raise _fail(path, f"{image_format} image; expected JPEG, PNG or WEBP")
    mime, ext = IMAGE_FORMATS[image_format]
    return MediaInfo(mime=mime, ext=ext, width=width, height=height)


def probe_video(source: Readable, *, name: str | None = None) -> MediaInfo:
    """Open the container, decode the first video frame and read the duration."""
    import av

    src, path = _open_arg(source, name)
    try:
        with av.open(src, mode="r") as container:
            format_name = container.format.name
            if not container.streams.video:
                raise _fail(path, "no video stream")
            stream = container.streams.video[0]
            frame = next(container.decode(stream), None)
            if frame is None:
                raise _fail(path, "no video frame decodes")
            width, height = frame.width, frame.height
            duration = _duration(container, stream)
    except VerificationFailed:
        raise
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except Exception as err:  # av.FFmpegError and friends
        raise _fail(path, f"not a decodable video ({_reason(err)})") from None
    if format_name not in VIDEO_FORMATS:
        raise _fail(path, f"{format_name} container; expected MP4")
    mime, ext = VIDEO_FORMATS[format_name]
    return MediaInfo(mime=mime, ext=ext, width=width, height=height, duration_s=duration)


def probe_audio(source: Readable, *, name: str | None = None) -> MediaInfo:
    """Open the container, decode the first audio frame and read the duration."""
    import av

    src, path = _open_arg(source, name)
    try:
        with av.open(src, mode="r") as container:
            format_name = container.format.name
            if not container.streams.audio:
                raise _fail(path, "no audio stream")
            stream = container.streams.audio[0]
            if next(container.decode(stream), None) is None:
                raise _fail(path, "no audio frame decodes")
            duration = _duration(container, stream)
    except VerificationFailed:
        raise
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except Exception as err:
        raise _fail(path, f"not decodable audio ({_reason(err)})") from None
    if format_name not in AUDIO_FORMATS:
        raise _fail(path, f"{format_name} container; expected MP3, WAV or FLAC")
    mime, ext = AUDIO_FORMATS[format_name]
    return MediaInfo(mime=mime, ext=ext, duration_s=duration)


def probe_text(source: Readable, *, name: str | None = None) -> MediaInfo:
    """Text outputs (lyrics): UTF-8, not empty, no NUL bytes."""
    src, path = _open_arg(source, name)
    try:
        if isinstance(src, str):
            with open(src, "rb") as file:
                raw = file.read()
        else:
            raw = src.read()
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text (byte {err.start})") from None
    if not text.strip():
        raise _fail(path, "text is empty")
    if "\x00" in text:
        raise _fail(path, "text holds a NUL character")
    return MediaInfo(mime="text/plain", ext="txt")


def _duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    import av

    if stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base), 3)
    if container.duration is not None:
        return round(container.duration / av.time_base, 3)
    return None


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:120]


_PROBES = {"image": probe_image, "video": probe_video, "audio": probe_audio, "text": probe_text}


def verify(
    path: str | os.PathLike[str],
    medium: Medium,
    *,
    expected_bytes: int | None = None,
    expected_size: tuple[int, int] | None = None,
) -> MediaInfo:
    """Check a downloaded file; VerificationFailed says what is wrong with it.

    `expected_bytes` is the length the server promised (Content-Length); `expected_size` the
    (width, height) the request asked for, when it fixes one.
    """
    path = Path(path)
    if medium not in _PROBES:
        raise VerificationFailed(f"cannot verify {medium!r} files; use image, video, audio or text")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    if not path.is_file():
        raise _fail(path, "not a regular file")
    if size == 0:
        raise _fail(path, "file is empty (0 bytes)")
    if expected_bytes is not None and size < expected_bytes:
        raise _fail(path, f"truncated: got {size} of {expected_bytes} bytes")
    if expected_bytes is not None and size > expected_bytes:
        raise _fail(path, f"got {size} bytes, {size - expected_bytes} more than {expected_bytes}")
    info = _PROBES[medium](path)
    if expected_size is not None and (info.width, info.height) != tuple(expected_size):
        want = f"{expected_size[0]}x{expected_size[1]}"
        raise _fail(path, f"wrong dimensions: got {info.width}x{info.height}, expected {want}")
    return info
