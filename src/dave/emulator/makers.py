"""Real, cheap media for the emulator: images (Pillow; drawn by pictures.py) and H.264 MP4s
(PyAV) that show the prompt, and MP3/WAV tones. Not a renderer of what the prompt asks for, and
not used by dave outside the emulator."""

from __future__ import annotations

import functools
import hashlib
import io
import math
import struct
from fractions import Fraction
from typing import Literal

from PIL import Image, ImageDraw

from .pictures import derived, picture, read_source

ImageFormat = str  # "jpeg" | "png" | "webp"

IMAGE_MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
VIDEO_MIME = "video/mp4"
AUDIO_MIME = {"mp3": "audio/mpeg", "wav": "audio/wav"}

# Short side in pixels for each video resolution name.
VIDEO_SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080}
# Pixel budget for each image resolution name ("1k" ≈ 1 MP, "2k" ≈ 4 MP).
IMAGE_PIXELS = {"1k": 1024 * 1024, "2k": 2048 * 2048}


def parse_ratio(ratio: str) -> float:
    """Width / height for a ratio such as "16:9" or "19.5:9"; "auto" means square."""
    if ratio == "auto":
        return 1.0
    left, _, right = ratio.partition(":")
    return float(left) / float(right)


def _round16(value: float) -> int:
    return max(16, round(value / 16) * 16)


def image_size(ratio: float | str, resolution: str) -> tuple[int, int]:
    """Pixel size for an image: the resolution's pixel budget at this ratio, multiples of 16."""
    wh = parse_ratio(ratio) if isinstance(ratio, str) else ratio
    pixels = IMAGE_PIXELS[resolution]
    return _round16(math.sqrt(pixels * wh)), _round16(math.sqrt(pixels / wh))


def video_size(ratio: float | str, resolution: str) -> tuple[int, int]:
    """Pixel size for a video: the short side is the resolution's number, the long side a multiple
    of 16 (so 16:9 at 480p is 848x480, as x.ai's legacy `size` values show)."""
    wh = parse_ratio(ratio) if isinstance(ratio, str) else ratio
    short = VIDEO_SHORT_SIDE[resolution]
    if math.isclose(wh, 1.0):
        return short, short
    if wh > 1:
        return _round16(short * wh), short
    return short, _round16(short / wh)


def _encode(image: Image.Image, fmt: str) -> bytes:
    if fmt not in IMAGE_MIME:
        raise ValueError(f"unsupported image format {fmt!r}")
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, format="JPEG", quality=80)
    else:
        image.save(out, format=fmt.upper())
    return out.getvalue()


@functools.lru_cache(maxsize=32)
def make_image(prompt: str, width: int, height: int, fmt: str = "jpeg", variant: int = 0) -> bytes:
    """Encode a `width`x`height` picture of `prompt` (pictures.py) as JPEG, PNG or WEBP bytes;
    each variant (the output's index) is a different picture."""
    return _encode(picture(prompt, width, height, variant), fmt)


def make_edit(prompt: str, width: int, height: int, fmt: str, variant: int,
              source: bytes | None, *, upscale: bool = False) -> bytes:  # fmt: skip
    """An edit of `source` (image bytes) drawn over it, or the source scaled for an upscale;
    the plain picture of the prompt when the source is not an image."""
    opened = read_source(source)
    if opened is None:
        return make_image(prompt, width, height, fmt, variant)
    return _encode(derived(opened, prompt, width, height, variant, upscale=upscale), fmt)


@functools.lru_cache(maxsize=16)
def make_video(prompt: str, width: int, height: int, seconds: float, fps: int = 8) -> bytes:
    """Encode an H.264 MP4 (yuv420p) of `seconds` length showing `prompt` and a moving bar.

    Speed matters more than looks: the prompt card is drawn once, only a thin progress bar
    changes, and x264 runs with the ultrafast preset, so mostly identical frames
    cost almost nothing to encode.
    """
    import av  # deferred: PyAV is heavy to import and only the video path needs it

    if width % 2 or height % 2:
        raise ValueError("H.264 with yuv420p needs even dimensions")
    total = max(1, round(seconds * fps))
    card = picture(prompt, width, height)
    bar_h = max(4, height // 40)
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "tune": "stillimage", "crf": "30"}
        draw = ImageDraw.Draw(card)
        frame = None
        steps = max(1, math.ceil(seconds))
        for index in range(total):
            # The bar grows once a second, so a viewer sees the clip play; converting a picture
            # to YUV costs more than encoding it, so frames within one second share one picture.
            step = min(steps, index // fps + 1)
            if frame is None or index % fps == 0:
                filled = int(width * step / steps)
                draw.rectangle((0, height - bar_h, filled, height), fill=(255, 255, 255))
                # PyAV's stub leaves from_image unannotated; it takes a PIL image, returns a frame.
                still: av.VideoFrame = av.VideoFrame.from_image(card)  # type: ignore[no-untyped-call]
                frame = still.reformat(format="yuv420p")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def make_audio(
    prompt: str, seconds: float, fmt: str = "mp3", sample_rate: int = 44100, channels: int = 2
) -> bytes:
    """Encode `seconds` of a soft two-note tone, pitched by the prompt, as MP3 or WAV.

    Real audio that decodes and has the asked length; what it sounds like does not matter.
    """
    import av  # deferred, as in make_video

    if fmt not in AUDIO_MIME:
        raise ValueError(f"audio format must be mp3 or wav, not {fmt!r}")
    digest = hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).digest()
    pitch = 220.0 + int.from_bytes(digest[:2], "big") % 440
    total = max(1, round(seconds * sample_rate))
    layout = "stereo" if channels == 2 else "mono"
    second = _tone_second(pitch, sample_rate, channels)
    out = io.BytesIO()
    codec: Literal["libmp3lame", "pcm_s16le"] = "libmp3lame" if fmt == "mp3" else "pcm_s16le"
    with av.open(out, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=sample_rate, layout=layout)
        for start in range(0, total, sample_rate):  # one second per frame
            count = min(sample_rate, total - start)
            frame = av.AudioFrame(format="s16", layout=layout, samples=count)
            frame.planes[0].update(second[: count * 2 * channels])
            frame.sample_rate = sample_rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def _tone_second(pitch: float, sample_rate: int, channels: int) -> bytes:
    """One second of a sine tone as packed signed 16-bit samples (L R L R ...)."""
    import array

    samples = array.array("h")
    for index in range(sample_rate):
        value = int(6000 * math.sin(2 * math.pi * pitch * index / sample_rate))
        samples.extend([value] * channels)
    return samples.tobytes()


def free_box(size: int) -> bytes:
    """The header of an MP4 `free` box `size` bytes long in all (header included): players skip
    such a box, so it pads a file without changing what plays. Zero bytes make up the rest."""
    if size < 8:
        raise ValueError("an MP4 box is at least 8 bytes long")
    if size < 2**32:
        return struct.pack(">I4s", size, b"free")
    return struct.pack(">I4sQ", 1, b"free", size)  # size 1: a 64-bit size follows the type


def probe_video(data: bytes) -> tuple[int, int, float]:
    """Width, height and length in seconds of a video file's first video stream.

    Raises ValueError when the bytes are not a readable video.
    """
    import av  # deferred, as in make_video

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            if container.duration is not None:
                seconds = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                frames = sum(1 for _ in container.decode(stream))
                seconds = frames / float(stream.average_rate or 1)
    except (av.FFmpegError, IndexError, ValueError) as exc:
        raise ValueError(f"not a readable video: {exc}") from exc
    if not width or not height:
        raise ValueError("not a readable video: no picture size")
    return width, height, seconds
