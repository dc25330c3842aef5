"""The emulator's pictures: made from the prompt's hash (a gradient, translucent shapes, the
prompt as a caption), so a gallery of offline results is worth looking at and two prompts never
look alike; and edits drawn over their source, so an edit is visibly made from what it was sent.

Deterministic: the same prompt, size, variant (and source) give the same pixels. Not for
encoding files (makers.py) nor for reading requests (the provider routers).
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import random
import textwrap

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

#: Shapes are drawn on a canvas no longer than this, then scaled: a few times less work at 2k.
_DRAW_SIDE = 512


def _rng(prompt: str, variant: int) -> random.Random:
    digest = hashlib.sha256(f"{variant}\x00{prompt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _palette(rng: random.Random) -> list[tuple[int, int, int]]:
    """Three colours around a hue the prompt picks: related, never muddy."""
    hue = rng.random()
    colours = []
    for step in (0.0, rng.uniform(0.08, 0.3), rng.uniform(0.4, 0.6)):
        r, g, b = colorsys.hls_to_rgb((hue + step) % 1.0, rng.uniform(0.35, 0.65), 0.65)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours


def _gradient(size: tuple[int, int], start: tuple[int, int, int], end: tuple[int, int, int],
              angle: float) -> Image.Image:  # fmt: skip
    ramp = Image.linear_gradient("L").rotate(
        angle, resample=Image.Resampling.BILINEAR, expand=False
    )
    mask = ImageOps.fit(ramp.crop((32, 32, 224, 224)), size)
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)


def _shapes(canvas: Image.Image, rng: random.Random, colours: list[tuple[int, int, int]],
            count: int, *, alpha: tuple[int, int] = (70, 170),
            reach: tuple[float, float] = (0.06, 0.3)) -> None:  # fmt: skip
    width, height = canvas.size
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        r, g, b = rng.choice([*colours, (255, 255, 255), (20, 20, 30)])
        fill = (r, g, b, rng.randint(*alpha))
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(*reach) * min(width, height)
        shape = rng.choice(("circle", "rect", "polygon"))
        if shape == "circle":
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)
        elif shape == "rect":
            draw.rectangle((cx - radius, cy - radius * 0.6, cx + radius, cy + radius * 0.6), fill)
        else:
            sides = rng.randint(3, 6)
            draw.regular_polygon((cx, cy, radius), sides, rotation=rng.uniform(0, 360), fill=fill)
    canvas.alpha_composite(layer)


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _caption(image: Image.Image, text: str) -> Image.Image:
    """`image` (RGB) with the text on a translucent band across the bottom, wrapped to at most
    three lines; only the band is composited."""
    width, height = image.size
    size = max(10, min(width, height) // 24)
    font = _font(size)
    columns = max(8, int(width / (size * 0.55)))
    wrapped = textwrap.wrap(text, columns) or ["(empty prompt)"]
    lines = wrapped[:3]
    if len(wrapped) > 3:
        lines[-1] = lines[-1][: max(1, columns - 1)] + "…"
    band_h = min(height, (len(lines) * size * 5) // 4 + size)
    box = (0, height - band_h, width, height)
    band = Image.blend(image.crop(box), Image.new("RGB", (width, band_h), (10, 10, 16)), 0.58)
    draw = ImageDraw.Draw(band)
    draw.multiline_text((size // 2 + 4, size // 2), "\n".join(lines), fill=(245, 245, 245),
                        font=font, spacing=size // 4)  # fmt: skip
    image.paste(band, box[:2])
    return image


def picture(prompt: str, width: int, height: int, variant: int = 0) -> Image.Image:
    """A `width`x`height` RGB picture of `prompt`; each variant (output index) differs."""
    rng = _rng(prompt, variant)
    colours = _palette(rng)
    scale = min(1.0, _DRAW_SIDE / max(width, height))
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    canvas = _gradient(small, colours[0], colours[1], rng.uniform(0, 360)).convert("RGBA")
    _shapes(canvas, rng, colours, rng.randint(5, 9))
    drawn = canvas.convert("RGB")
    if drawn.size != (width, height):
        # Flat shapes and a smooth ramp: a nearest-pixel upscale looks the same, ten times faster.
        drawn = drawn.resize((width, height), Image.Resampling.NEAREST)
    return _caption(drawn, f"{prompt}  #{variant + 1}" if variant else prompt)


def read_source(data: bytes | None) -> Image.Image | None:
    """The source image in `data` as RGB, or None when it is not an image Pillow reads."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (2048, 2048))
            return opened.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


def derived(source: Image.Image, prompt: str, width: int, height: int, variant: int = 0,
            *, upscale: bool = False) -> Image.Image:  # fmt: skip
    """`source` made into the output: fitted to its size and, unless it is an upscale, tinted
    by the prompt with a few of its shapes over it and the prompt as a caption."""
    fitted = ImageOps.fit(source, (width, height), Image.Resampling.BICUBIC)
    if upscale:
        return fitted
    rng = _rng(prompt, variant)
    colours = _palette(rng)
    tinted = Image.blend(fitted, Image.new("RGB", fitted.size, colours[0]), 0.18).convert("RGBA")
    _shapes(tinted, rng, colours, rng.randint(2, 4), alpha=(40, 90), reach=(0.03, 0.1))
    return _caption(tinted.convert("RGB"), prompt)
