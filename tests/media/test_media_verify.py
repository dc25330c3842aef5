"""Checks on downloaded files: truncated, empty, garbage, wrong size, and real media read right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dave.core.errors import VerificationFailed
from dave.media.verify import MediaInfo, probe_image, probe_video, verify


def fails(path: Path, medium: str = "image", **kwargs: Any) -> str:
    with pytest.raises(VerificationFailed) as caught:
        verify(path, medium, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("fmt", "mime", "ext"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_real_images_are_probed(make_image: Any, fmt: str, mime: str, ext: str) -> None:
    path = make_image(f"out.{ext}", size=(48, 32), fmt=fmt)
    assert verify(path, "image", expected_bytes=path.stat().st_size, expected_size=(48, 32)) == (
        MediaInfo(mime=mime, ext=ext, width=48, height=32)
    )


def test_the_format_comes_from_the_bytes_not_the_name(make_image: Any) -> None:
    path = make_image("really-a-png.jpeg", fmt="PNG")
    assert probe_image(path).mime == "image/png"


def test_a_truncated_jpeg_is_caught(make_image: Any) -> None:
    path = make_image("cut.jpg", size=(256, 256), fmt="JPEG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert fails(path).startswith(f"{path}: not a decodable image (")
    assert (
        fails(path, expected_bytes=len(data))
        == f"{path}: truncated: got {len(data) // 2} of {len(data)} bytes"
    )


def test_garbage_bytes_are_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "garbage.jpg"
    path.write_bytes(b"<html>503 Service Unavailable</html>")
    assert fails(path).startswith(f"{path}: not a decodable image (")


def test_an_empty_file_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.touch()
    assert fails(path) == f"{path}: file is empty (0 bytes)"


def test_a_missing_file_is_caught(tmp_path: Path) -> None:
    assert fails(tmp_path / "none.png") == f"{tmp_path / 'none.png'}: file not found"


def test_more_bytes_than_promised_is_caught(png: Path) -> None:
    size = png.stat().st_size
    assert fails(png, expected_bytes=size - 1) == f"{png}: got {size} bytes, 1 more than {size - 1}"


def test_wrong_dimensions_are_caught(png: Path) -> None:
    assert (
        fails(png, expected_size=(1024, 1024))
        == f"{png}: wrong dimensions: got 32x24, expected 1024x1024"
    )


def test_a_gif_is_not_a_finished_image(make_image: Any) -> None:
    gif = make_image("a.gif", fmt="GIF")
    assert fails(gif) == f"{gif}: GIF image; expected JPEG, PNG or WEBP"


def test_a_real_mp4_reads_its_duration(make_mp4: Any) -> None:
    path = make_mp4(3, size=(80, 64))
    info = verify(path, "video", expected_size=(80, 64))
    assert info == MediaInfo(mime="video/mp4", ext="mp4", width=80, height=64, duration_s=3.0)


def test_a_truncated_mp4_is_caught(mp4: Path) -> None:
    data = mp4.read_bytes()
    mp4.write_bytes(data[: len(data) // 2])
    assert fails(mp4, "video").startswith(f"{mp4}: not a decodable video (")


def test_garbage_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "junk.mp4"
    path.write_bytes(b"\x00\x01garbage" * 50)
    assert fails(path, "video").startswith(f"{path}: not a decodable video (")


def test_an_image_is_not_a_video(png: Path) -> None:
    message = fails(png, "video")
    assert message.startswith(f"{png}: ") and "expected MP4" in message


def test_a_wav_is_audio_and_not_video(wav: Path) -> None:
    assert verify(wav, "audio") == MediaInfo(mime="audio/wav", ext="wav", duration_s=1.0)
    assert fails(wav, "video") == f"{wav}: no video stream"


def test_an_unknown_medium_is_refused(png: Path) -> None:
    assert fails(png, "3d") == "cannot verify '3d' files; use image, video, audio or text"


def test_probes_read_streams_too(mp4: Path) -> None:
    with mp4.open("rb") as handle:
        assert probe_video(handle, name="download").duration_s == 2.0
    with (
        mp4.open("rb") as handle,
        pytest.raises(VerificationFailed, match=r"^download: not a decodable image"),
    ):
        probe_image(handle, name="download")
