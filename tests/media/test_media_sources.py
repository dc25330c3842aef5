"""Source media: local files, URLs and data URIs, checked before anything is sent."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dave.core.errors import InvalidRequest
from dave.media import sources
from dave.media.sources import check_source, to_url, video_duration


def refused(value: Any, medium: str = "image", **kwargs: Any) -> str:
    with pytest.raises(InvalidRequest) as caught:
        check_source(value, medium, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


@pytest.mark.parametrize(
    ("name", "fmt", "mime"),
    [
        ("a.png", "PNG", "image/png"),
        ("a.jpg", "JPEG", "image/jpeg"),
        ("a.webp", "WEBP", "image/webp"),
    ],
)
def test_real_images_are_accepted_with_what_they_are(
    make_image: Any, name: str, fmt: str, mime: str
) -> None:
    path = make_image(name, size=(30, 20), fmt=fmt)
    source = check_source(str(path))
    assert (source.kind, source.medium, source.mime) == ("file", "image", mime)
    assert (source.width, source.height, source.size_bytes) == (30, 20, path.stat().st_size)
    assert source.path == path.resolve() and source.value == str(path.resolve())


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "gone.png"
    assert refused(str(missing)) == f"image file not found: {missing}"
    assert refused(str(missing), field="images[1]") == f"images[1]: image file not found: {missing}"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert refused(str(tmp_path)) == f"{tmp_path} is a directory, not an image file"


def test_a_text_file_is_not_an_image(tmp_path: Path) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("hello, not a picture")
    assert refused(str(notes)).startswith(f"image file {notes}: not a decodable image (")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.touch()
    assert refused(str(empty)) == f"image file {empty} is empty"


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    assert (
        refused(str(big)) == f"image file {big} is 21 MiB; the limit for a source image is 20 MiB"
    )


def test_a_gif_is_refused_with_the_formats_that_work(make_image: Any) -> None:
    gif = make_image("a.gif", fmt="GIF")
    assert refused(str(gif)) == f"image file {gif.resolve()}: GIF image; expected JPEG, PNG or WEBP"


def test_a_special_file_is_not_a_regular_file() -> None:
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null here")
    assert refused("/dev/null") == "/dev/null is not a regular file"


def _as_a_user_files_can_refuse() -> list[str]:
    """A command prefix under which file modes bind. Root reads a mode-0 file (CAP_DAC_OVERRIDE)
    and CI runs as root, so there the child loses the two capabilities that bypass modes; it
    stays uid 0, so it still reads the checkout and the test's own folders."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")  # util-linux
    if setpriv is None:
        pytest.skip("root without setpriv cannot be refused a file")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]


_CHECK_IN_A_CHILD = """
import sys
from dave.core.errors import InvalidRequest
from dave.media.sources import check_source
try:
    check_source(sys.argv[1], "image")
except InvalidRequest as error:
    print(error)
else:
    print("accepted")
"""


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_unreadable_file_is_refused(png: Path) -> None:
    png.chmod(0)
    try:
        done = subprocess.run(
            [*_as_a_user_files_can_refuse(), sys.executable, "-c", _CHECK_IN_A_CHILD, str(png)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        png.chmod(0o644)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"cannot read image file {png.resolve()}: "), done.stdout
    assert "ermission denied" in done.stdout, done.stdout


def test_home_is_expanded(png: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(png.parent))
    assert check_source(f"~/{png.name}").path == png.resolve()


@pytest.mark.parametrize(
    "value",
    ["ftp://example.com/a.png", "file:///etc/passwd", "javascript:alert(1)", "s3://bucket/a.png"],
)
def test_other_schemes_are_refused(value: str) -> None:
    scheme = value.split(":")[0]
    assert refused(value).startswith(f"unsupported scheme '{scheme}:' in")
    assert refused(value).endswith("use a local file, an http(s) URL or a data: URI")


def test_a_windows_drive_letter_is_a_path_not_a_scheme() -> None:
    assert refused("C:\\pictures\\cat.png").startswith("image file not found:")


def test_http_urls_pass_through_unfetched() -> None:
    source = check_source(" https://cdn.example.com/cat.png?x=1 ")
    assert (source.kind, source.value, source.mime) == (
        "url",
        "https://cdn.example.com/cat.png?x=1",
        None,
    )
    assert to_url(source) == "https://cdn.example.com/cat.png?x=1"
    assert check_source("HTTP://example.com/v.mp4", "video").kind == "url"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("https:///nohost.png", "has no host"),
        ("https://exa mple.com/a.png", "contains spaces or control characters"),
        ("http://example.com:99999/a.png", "malformed URL"),
    ],
)
def test_broken_urls_are_refused(value: str, why: str) -> None:
    assert why in refused(value)


def test_a_data_uri_is_decoded_and_checked(png: Path) -> None:
    uri = data_uri(png, "image/png")
    source = check_source(uri)
    assert (source.kind, source.mime, source.size_bytes) == (
        "data",
        "image/png",
        png.stat().st_size,
    )
    assert to_url(source) == uri
    assert "…" in repr(source) and len(repr(source)) < 150


@pytest.mark.parametrize(
    ("build", "why"),
    [
        (lambda p: data_uri(p, "image/jpeg"), "data URI says image/jpeg but holds image/png"),
        (
            lambda p: data_uri(p, "text/plain"),
            "data URI holds 'text/plain'; an image source needs data:image/...;base64,",
        ),
        (lambda p: "data:image/png," + "abc", "is not base64 (add ;base64)"),
        (lambda p: "data:image/png;base64,@@@@", "is not valid base64"),
        (lambda p: "data:image/png;base64,", "is empty"),
        (
            lambda p: "data:image/png;base64," + base64.b64encode(b"junk" * 10).decode(),
            "not a decodable image",
        ),
        (lambda p: "data:nocomma", "malformed data URI"),
    ],
)
def test_bad_data_uris_are_refused(png: Path, build: Any, why: str) -> None:
    assert why in refused(build(png))


def test_an_oversize_data_uri_is_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sources.MAX_BYTES, "image", 1000)
    assert "the limit for a source image is 1000 bytes" in refused(
        "data:image/png;base64," + "A" * 4000
    )


def test_a_jpg_data_uri_may_say_image_jpg(jpeg: Path) -> None:
    assert check_source(data_uri(jpeg, "image/jpg")).mime == "image/jpeg"


def test_to_url_turns_a_file_into_a_data_uri(jpeg: Path) -> None:
    uri = to_url(str(jpeg))
    head, payload = uri.split(",", 1)
    assert head == "data:image/jpeg;base64"
    assert base64.b64decode(payload) == jpeg.read_bytes()


def test_a_real_mp4_is_a_video_source(mp4: Path) -> None:
    source = check_source(str(mp4), "video")
    assert (source.mime, source.duration_s, source.width, source.height) == (
        "video/mp4",
        2.0,
        64,
        48,
    )
    assert to_url(source).startswith("data:video/mp4;base64,")
    assert check_source(data_uri(mp4, "video/mp4"), "video").duration_s == 2.0


def test_an_image_is_not_a_video_source(png: Path) -> None:
    assert refused(str(png), "video").startswith(f"video file {png.resolve()}")


def test_a_video_data_uri_must_say_video(mp4: Path) -> None:
    assert "a video source needs data:video/...;base64," in refused(
        data_uri(mp4, "image/png"), "video"
    )


def test_video_duration_reads_a_local_file(make_mp4: Any, tmp_path: Path) -> None:
    assert video_duration(make_mp4(3)) == 3.0
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 300)
    with pytest.raises(InvalidRequest, match=rf"^video file {junk}: not a decodable video"):
        video_duration(junk)


def test_odd_values_are_refused_plainly() -> None:
    assert refused("") == "the image source is empty"
    assert refused("   ") == "the image source is empty"
    assert refused(42) == "an image source must be a path or URL, got 42"
    assert refused("a\x00b") == "the image source contains a NUL character"
    assert refused("x.png", "3d") == "sources can be image, video or audio, not '3d'"
