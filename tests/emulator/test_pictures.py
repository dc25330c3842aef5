"""The emulator's pictures: made from the prompt (a gradient, shapes, a caption), the same
every time, different for each prompt and output; and edits visibly drawn over their source,
through dave's own clients and the emulator over loopback."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageStat

from dave import Studio
from dave.emulator import EmulatorServer
from dave.emulator.makers import make_edit, make_image


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def _mean(image: Image.Image, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    w, h = image.size
    region = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    return tuple(ImageStat.Stat(region).mean)


def _halves(path: Path) -> Path:
    """A PNG whose left half is red and right half blue: easy to find again in an output."""
    image = Image.new("RGB", (256, 256), (220, 30, 30))
    image.paste((30, 30, 220), (128, 0, 256, 256))
    image.save(path)
    return path


def _red_left_blue_right(image: Image.Image) -> bool:
    left, right = _mean(image, (0.05, 0.1, 0.4, 0.6)), _mean(image, (0.6, 0.1, 0.95, 0.6))
    return left[0] > left[2] + 60 and right[2] > right[0] + 60


def test_a_picture_is_the_same_each_time_and_differs_by_prompt_and_variant() -> None:
    make_image.cache_clear()
    first = make_image("a red fox in the snow", 512, 384, "png")
    make_image.cache_clear()
    assert make_image("a red fox in the snow", 512, 384, "png") == first
    fox = _open(first)
    other = _open(make_image("a lighthouse in a storm", 512, 384, "png"))
    second = _open(make_image("a red fox in the snow", 512, 384, "png", 1))
    assert fox.size == (512, 384)
    for different in (other, second):
        assert fox.tobytes() != different.tobytes()
        assert ImageStat.Stat(fox).mean != ImageStat.Stat(different).mean
    # Not flat: many colours, and regions that differ from each other.
    assert len(fox.getcolors(1 << 20) or ()) > 200
    quarters = [_mean(fox, box) for box in ((0, 0, 0.5, 0.4), (0.5, 0, 1, 0.4), (0, 0.4, 0.5, 0.8))]
    assert len({tuple(round(c) for c in q) for q in quarters}) == 3


def test_the_prompt_is_a_caption_on_a_darker_band_at_the_bottom() -> None:
    picture = _open(make_image("a quiet harbour at dawn", 640, 640, "png"))
    band = _mean(picture, (0, 0.94, 1, 1))
    above = _mean(picture, (0, 0.5, 1, 0.85))
    assert sum(band) < sum(above)
    # Text on the band: bright pixels among the dark ones.
    row = picture.crop((0, int(640 * 0.93), 640, 640)).convert("L")
    darkest, brightest = row.getextrema()
    assert brightest > 200 and darkest < 90


def test_an_edit_is_drawn_over_its_source_and_an_upscale_is_the_source_scaled(
    tmp_path: Path,
) -> None:
    source = _halves(tmp_path / "halves.png").read_bytes()
    edited = _open(make_edit("paint it as a watercolour", 512, 512, "png", 0, source))
    assert _red_left_blue_right(edited)
    plain = _open(make_image("paint it as a watercolour", 512, 512, "png"))
    assert not _red_left_blue_right(plain)
    scaled = _open(make_edit("", 1024, 1024, "png", 0, source, upscale=True))
    assert scaled.size == (1024, 1024)
    assert _mean(scaled, (0.1, 0.1, 0.4, 0.9))[0] > 200
    assert _mean(scaled, (0.6, 0.1, 0.9, 0.9))[2] > 200
    # Not an image at all: the plain picture instead.
    assert make_edit("x", 64, 64, "png", 0, b"not an image") == make_image("x", 64, 64, "png")


async def test_an_x_ai_edit_comes_back_drawn_over_the_image_sent(
    xai: EmulatorServer, tmp_path: Path
) -> None:
    halves = _halves(tmp_path / "halves.png")
    async with Studio() as studio:
        by_url = await studio.edit("add a paper boat", [str(halves)])
        inline = await studio.edit("add a paper boat", [str(halves)], response_format="b64_json")
    for result in (by_url, inline):
        with Image.open(result.paths()[0]) as made:
            assert _red_left_blue_right(made.convert("RGB"))


async def test_stability_edits_and_upscales_keep_their_source(
    stability: EmulatorServer, tmp_path: Path
) -> None:
    halves = _halves(tmp_path / "halves.png")
    async with Studio() as studio:
        erased = await studio.edit("", [str(halves)], provider="stability", op="erase")
        inpainted = await studio.edit(
            "a small moon", [str(halves)], provider="stability", op="inpaint"
        )
        larger = await studio.upscale(str(halves), provider="stability")
        generated = await studio.image("a small moon", provider="stability")
    for result in (erased, inpainted, larger):
        with Image.open(result.paths()[0]) as made:
            assert _red_left_blue_right(made.convert("RGB")), result.job.request
    with Image.open(larger.paths()[0]) as made:
        assert made.size == (1024, 1024)
    with Image.open(generated.paths()[0]) as made:
        assert not _red_left_blue_right(made.convert("RGB"))
