"""`dave demo`: the whole path offline — an x.ai image, an edit of it and a short video, a
MiniMax image-01 picture and a Stable Image Core picture, through the built-in emulator, into
the real library. Needs no key and no network."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from dave.cli.generate import check_out_dir, copy_out, result_object
from dave.cli.output import console, emit_json, emit_line, price_text, progress_display

PROMPTS = {
    "image": "a lighthouse on a cliff at dusk, warm light in the window",
    "edit": "the same lighthouse with a red sailing boat passing by",
    "video": "waves rolling past the lighthouse as the light turns on",
    "minimax": "the lighthouse keeper's cottage in watercolour, morning mist",
    "stability": "a postcard of the lighthouse at night, stars over the sea",
}
#: What each step is called in the listing, in the order the steps run.
LABELS = ("x.ai image", "x.ai edit", "x.ai video", "MiniMax image", "Stability image")


async def _run(progress: bool) -> list[Any]:
    from dave.media.studio import Studio

    with progress_display(progress) as on_event:
        async with Studio(offline=True, on_event=on_event) as studio:
            image = await studio.image(PROMPTS["image"], aspect_ratio="16:9")
            edit = await studio.edit(PROMPTS["edit"], images=[str(image.paths()[0])])
            video = await studio.video(PROMPTS["video"], image=str(edit.paths()[0]), duration=2)
            # One capability of each other provider: image-01 and Stable Image Core.
            minimax = await studio.image(PROMPTS["minimax"], provider="minimax")
            stability = await studio.image(PROMPTS["stability"], provider="stability")
            return [image, edit, video, minimax, stability]


def run(*, out: Path | None, json_output: bool) -> None:
    if out is not None:
        check_out_dir(out)
    results = asyncio.run(_run(progress=not json_output))
    copies = {id(r): copy_out(r, out) for r in results} if out else {}
    if json_output:
        emit_json({"results": [result_object(r, copies.get(id(r))) for r in results]})
        return
    console().print("[bold]dave demo[/bold]: offline, through the built-in provider emulator")
    for label, result in zip(LABELS, results, strict=True):
        asset = result.assets[0]
        size = f"{asset.width}x{asset.height}"
        if asset.duration_s:
            size += f", {asset.duration_s:.1f} s"
        price = price_text(
            result.job.price, result.job.price_unit, estimate=result.job.price_estimate
        )
        console().print(
            f"  {label:15}  {result.job.id}  {asset.mime} {size}  {price}", soft_wrap=True
        )
        for path in copies.get(id(result)) or result.paths():
            emit_line(str(path))
    console().print(
        "see them again with `dave assets list`; `dave cost --offline` sums what they would cost"
    )
