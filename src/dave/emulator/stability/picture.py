"""The picture a Stable Image answer holds: the emulator's picture of the prompt or of its
source image, cut out on a transparent border or blurred. Shared by the synchronous routes
(image.py) and the async results (results.py); not for checking requests or answering them."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter

from ..makers import make_edit


def render(
    prompt: str,
    width: int,
    height: int,
    fmt: str,
    *,
    alpha: bool = False,
    blurred: bool = False,
    source: bytes | None = None,
    upscale: bool = False,
) -> bytes:
    """The emulator's picture of `prompt`, or drawn over `source` (an edit, a control image) or
    `source` scaled (an upscale); with a transparent border (a cut-out subject) or blurred (what
    a CONTENT_FILTERED answer holds)."""
    if not alpha and not blurred:
        return make_edit(prompt, width, height, fmt, 0, source, upscale=upscale)
    made = make_edit(prompt, width, height, "png", 0, source, upscale=upscale)
    with Image.open(io.BytesIO(made)) as card:
        picture = card.convert("RGBA" if alpha else "RGB")
    if blurred:
        picture = picture.filter(ImageFilter.GaussianBlur(max(4, min(width, height) // 16)))
    if alpha:
        mask = Image.new("L", picture.size, 0)
        ImageDraw.Draw(mask).ellipse(
            (width // 8, height // 8, width * 7 // 8, height * 7 // 8), 255
        )
        picture.putalpha(mask)
    out = io.BytesIO()
    picture.save(out, format="JPEG" if fmt == "jpeg" else fmt.upper())
    return out.getvalue()
