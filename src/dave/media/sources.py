"""Checks the source media a user names (local files, http(s) URLs, data: URIs) before any call.

Not for fetching URLs (they pass through unchecked) nor for checking downloads (verify.py).
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dave.core.errors import InvalidRequest, VerificationFailed
from dave.media.verify import MediaInfo, probe_audio, probe_image, probe_video

SourceMedium = Literal["image", "video", "audio"]

MiB = 1024 * 1024
#: Largest source file dave sends. Image: 20 MiB, the bound MiniMax documents for frames and the
#: usual x.ai image-input bound (x.ai's Imagine docs name none) [I]. Video: 50 MB, the input cap
#: relays quote for x.ai video edits [3P Comfy]. Sent as base64 a file grows by a third.
MAX_BYTES: dict[str, int] = {"image": 20 * MiB, "video": 50 * MiB, "audio": 100 * MiB}
#: Formats a source may be in: what x.ai, MiniMax and Stability all take (images), and the
#: MP4 that x.ai's video edit and extension require.
SOURCE_MIMES: dict[str, tuple[str, ...]] = {
    "image": ("image/jpeg", "image/png", "image/webp"),
    "video": ("video/mp4",),
    # Reference tracks: MiniMax covers (≤ 50 MB) and Stability's audio-to-audio and inpaint
    # (50 MB; Stable Audio 3: 100 MB). Each provider's rules check its own bound.
    "audio": ("audio/mpeg", "audio/wav", "audio/flac"),
}
MAX_URL_CHARS = 8192
_AN = {"image": "an image", "video": "a video", "audio": "an audio track"}

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DATA_URI = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*),(?P<payload>.*)$", re.S)


@dataclass(frozen=True, slots=True, repr=False)
class Source:
    """A checked source: a local file, a URL passed through, or a decoded-and-checked data URI."""

    kind: Literal["file", "url", "data"]
    medium: SourceMedium
    #: The absolute path for a file, else the URL or data URI as given (whitespace stripped).
    value: str
    path: Path | None = None
    mime: str | None = None
    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None

    def __repr__(self) -> str:
        shown = self.value if len(self.value) <= 80 else f"{self.value[:60]}…({len(self.value)})"
        return f"Source({self.kind}, {self.medium}, {shown!r}, mime={self.mime!r})"


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as a message shows it: as it is, or quoted when it holds control characters."""
    text = os.fspath(path)
    return text if text.isprintable() else repr(text)


def _human(size: int) -> str:
    if size < MiB:
        return f"{size} bytes"
    return f"{size / MiB:.1f}".removesuffix(".0") + " MiB"


def _too_big(label: str, size: int, medium: str) -> InvalidRequest:
    return InvalidRequest(
        f"{label} is {_human(size)}; the limit for a source {medium} is {_human(MAX_BYTES[medium])}"
    )


def check_source(value: object, medium: SourceMedium = "image", *, field: str = "") -> Source:
    """Check one source and say what it is; InvalidRequest names the field and the value.

    `value` is a local path (`~` expands), an http(s) URL (not fetched) or a
    `data:<mime>;base64,...` URI. `field` (such as `images[1]`) starts each message.
    """
    if medium not in MAX_BYTES:
        raise InvalidRequest(f"sources can be image, video or audio, not {medium!r}")
    lead = f"{field}: " if field else ""
    if not isinstance(value, str | os.PathLike):
        raise InvalidRequest(f"{lead}{_AN[medium]} source must be a path or URL, got {value!r:.60}")
    text = os.fspath(value).strip()
    if not text:
        raise InvalidRequest(f"{lead}the {medium} source is empty")
    if "\x00" in text:
        raise InvalidRequest(f"{lead}the {medium} source contains a NUL character")
    scheme_match = _SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if scheme in ("http", "https"):
        return _check_url(text, medium, lead)
    if scheme == "data":
        return _check_data_uri(text, medium, lead)
    # One letter is a Windows drive (C:\...); anything else that exists on disk is a file.
    if scheme and len(scheme) > 1 and not _exists(_expand(text)):
        raise InvalidRequest(
            f"{lead}unsupported scheme '{scheme}:' in {text!r:.80}; "
            "use a local file, an http(s) URL or a data: URI"
        )
    return _check_file(text, medium, lead)


def _check_url(text: str, medium: SourceMedium, lead: str) -> Source:
    if len(text) > MAX_URL_CHARS:
        raise InvalidRequest(f"{lead}URL is {len(text)} characters; at most {MAX_URL_CHARS}")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InvalidRequest(f"{lead}URL {text!r:.80} contains spaces or control characters")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as err:
        raise InvalidRequest(f"{lead}malformed URL {text!r:.80} ({err})") from None
    if not parts.hostname:
        raise InvalidRequest(f"{lead}URL {text!r:.80} has no host")
    return Source("url", medium, text)


def _check_data_uri(text: str, medium: SourceMedium, lead: str) -> Source:
    match = _DATA_URI.match(text)
    short = f"{text[:40]}…" if len(text) > 40 else text
    if match is None:
        raise InvalidRequest(f"{lead}malformed data URI {short!r}; expected data:<mime>;base64,...")
    mime = match["mime"].strip().lower()
    mime = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}.get(mime, mime)
    if not mime.startswith(f"{medium}/"):
        raise InvalidRequest(
            f"{lead}data URI holds {mime or 'no media type'!r}; {_AN[medium]} source needs "
            f"data:{medium}/...;base64,"
        )
    if "base64" not in [param.strip().lower() for param in match["params"].split(";")]:
        raise InvalidRequest(f"{lead}data URI {short!r} is not base64 (add ;base64)")
    payload = re.sub(r"\s+", "", match["payload"])
    if len(payload) * 3 // 4 > MAX_BYTES[medium]:
        raise _too_big(f"{lead}the data URI", len(payload) * 3 // 4, medium)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(f"{lead}data URI {short!r} is not valid base64") from None
    if not data:
        raise InvalidRequest(f"{lead}data URI {short!r} is empty")
    info = _probe(io.BytesIO(data), medium, f"{lead}data URI")
    if info.mime != mime:
        raise InvalidRequest(f"{lead}data URI says {mime} but holds {info.mime}")
    return Source(
        "data", medium, text, mime=info.mime, size_bytes=len(data),
        width=info.width, height=info.height, duration_s=info.duration_s,
    )  # fmt: skip


def _expand(text: str) -> Path:
    """`~` and `~user` expanded; left as is when there is no such home."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        return Path(text)


def _exists(path: Path) -> bool:
    """Path.exists(), but a name the system cannot even look up (too long) is just absent."""
    try:
        return path.exists()
    except OSError:
        return False


def _check_file(text: str, medium: SourceMedium, lead: str) -> Source:
    path = _expand(text)
    shown = shown_path(path)
    try:
        path = path.resolve()
        shown = shown_path(path)
        info = path.stat()
    except FileNotFoundError:
        raise InvalidRequest(f"{lead}{medium} file not found: {shown}") from None
    except (OSError, RuntimeError, ValueError) as err:  # a symlink loop, a long name...
        raise InvalidRequest(f"{lead}cannot read {medium} file {shown}: {_why(err)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidRequest(f"{lead}{shown} is a directory, not {_AN[medium]} file")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidRequest(f"{lead}{shown} is not a regular file")
    if info.st_size == 0:
        raise InvalidRequest(f"{lead}{medium} file {shown} is empty")
    if info.st_size > MAX_BYTES[medium]:
        raise _too_big(f"{lead}{medium} file {shown}", info.st_size, medium)
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as err:
        raise InvalidRequest(f"{lead}cannot read {medium} file {shown}: {_why(err)}") from None
    probed = _probe(path, medium, f"{lead}{medium} file {shown}")
    return Source(
        "file", medium, str(path), path=path, mime=probed.mime, size_bytes=info.st_size,
        width=probed.width, height=probed.height, duration_s=probed.duration_s,
    )  # fmt: skip


def _why(err: BaseException) -> str:
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def _probe(source: Path | io.BytesIO, medium: SourceMedium, label: str) -> MediaInfo:
    probe = {"image": probe_image, "video": probe_video, "audio": probe_audio}[medium]
    try:
        info = probe(source, name=label)
    except VerificationFailed as err:
        # probe messages read "<label>: not a decodable image (...)"; keep them as they are
        raise InvalidRequest(err.message) from None
    if info.mime not in SOURCE_MIMES[medium]:
        allowed = ", ".join(mime.split("/")[1].upper() for mime in SOURCE_MIMES[medium])
        raise InvalidRequest(f"{label} is {info.mime}; use {allowed}")
    return info


def to_url(source: Source | str, medium: SourceMedium = "image") -> str:
    """What goes on the wire: URLs and data URIs as they are, a local file as a data: URI."""
    if not isinstance(source, Source):
        source = check_source(source, medium)
    if source.kind != "file":
        return source.value
    assert source.path is not None
    data = source.path.read_bytes()
    if len(data) > MAX_BYTES[source.medium]:  # the file grew since it was checked
        raise _too_big(f"{source.medium} file {source.path}", len(data), source.medium)
    return f"data:{source.mime};base64,{base64.b64encode(data).decode('ascii')}"


def video_duration(path: str | os.PathLike[str]) -> float:
    """The length in seconds of a local video; InvalidRequest naming the path if unreadable."""
    label = f"video file {shown_path(path)}"
    info = _probe(Path(path), "video", label)
    if info.duration_s is None:
        raise InvalidRequest(f"{label}: cannot tell how long it is")
    return info.duration_s


def check_sources(items: Iterable[tuple[str, str, SourceMedium]]) -> dict[str, Source]:
    """Check each (field, value, medium) of a request; the results keyed by field."""
    return {field: check_source(value, medium, field=field) for field, value, medium in items}
