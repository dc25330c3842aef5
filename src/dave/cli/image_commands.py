"""The arguments of `dave image`, `dave edit`, `dave upscale` and `dave control`: parsing only.

Each body is imported when its command runs (dave.cli.generate), so `dave --help` stays fast.
Values are checked by the request models, not here; an unset flag is left out of the request.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dave.cli.options import (
    AspectRatio,
    Count,
    Format,
    ImageResolution,
    Json,
    Model,
    Negative,
    Offline,
    OutDir,
    OutputFormat,
    PromptOptimizer,
    Provider,
    Seed,
    Style,
)

Creativity = Annotated[
    float | None, typer.Option("--creativity", help="How much may be invented, 0-1.")
]
CfgScale = Annotated[
    float | None, typer.Option("--cfg-scale", help="How closely to follow the prompt (SD 3.5).")
]


def image(
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="What to draw.")],
    provider: Provider = "xai",
    model: Model = None,
    n: Count = 1,
    aspect_ratio: AspectRatio = None,
    resolution: ImageResolution = None,
    format: Format = "url",
    width: Annotated[
        int | None, typer.Option("--width", help="Width in px, with --height (MiniMax).")
    ] = None,
    height: Annotated[
        int | None, typer.Option("--height", help="Height in px, with --width (MiniMax).")
    ] = None,
    seed: Seed = None,
    negative: Negative = None,
    style: Style = None,
    output_format: OutputFormat = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Photo of one person to keep (MiniMax).")
    ] = None,
    init_image: Annotated[
        str | None,
        typer.Option("--init-image", help="Start from this image, with --strength (Stability)."),
    ] = None,
    strength: Annotated[
        float | None,
        typer.Option("--strength", help="Image-to-image: 0 keeps the input, 1 ignores it."),
    ] = None,
    cfg_scale: CfgScale = None,
    prompt_optimizer: PromptOptimizer = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Generate images from a prompt (x.ai, MiniMax or Stability)."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        n=n,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        response_format=generate.wire_format(format),
        width=width,
        height=height,
        seed=seed,
        negative_prompt=negative,
        style=style,
        output_format=output_format,
        subject=subject,
        image=init_image,
        strength=strength,
        cfg_scale=cfg_scale,
        prompt_optimizer=prompt_optimizer,
    )
    generate.run("image", fields, out=out, json_output=json, offline=offline)


def edit(
    image: Annotated[
        list[str], typer.Option("--image", "-i", help="Source image: a path or URL (1-3).")
    ],
    prompt: Annotated[
        str,
        typer.Argument(
            metavar="PROMPT",
            help="How to change the image(s); erase, outpaint and remove-background need none.",
        ),
    ] = "",
    provider: Provider = "xai",
    model: Model = None,
    op: Annotated[
        str | None,
        typer.Option(
            "--op",
            help="Stability: erase, inpaint, outpaint, search-replace, recolor, "
            "remove-background or relight.",
        ),
    ] = None,
    mask: Annotated[
        str | None, typer.Option("--mask", help="Erase/inpaint mask: white = repaint.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="search-replace, recolor: what to change.")
    ] = None,
    left: Annotated[int | None, typer.Option("--left", help="Outpaint: pixels to add.")] = None,
    right: Annotated[int | None, typer.Option("--right", help="Outpaint: pixels to add.")] = None,
    up: Annotated[int | None, typer.Option("--up", help="Outpaint: pixels to add.")] = None,
    down: Annotated[int | None, typer.Option("--down", help="Outpaint: pixels to add.")] = None,
    grow_mask: Annotated[
        int | None, typer.Option("--grow-mask", help="Pixels to grow and feather the mask by.")
    ] = None,
    creativity: Creativity = None,
    background: Annotated[
        str | None, typer.Option("--background", help="Relight: the new background.")
    ] = None,
    background_image: Annotated[
        str | None,
        typer.Option("--background-image", help="Relight: an image the background follows."),
    ] = None,
    foreground: Annotated[
        str | None, typer.Option("--foreground", help="Relight: the subject, to keep it clean.")
    ] = None,
    light_image: Annotated[
        str | None, typer.Option("--light-image", help="Relight: an image whose light to use.")
    ] = None,
    light_direction: Annotated[
        str | None,
        typer.Option("--light-direction", help="Relight: left, right, above or below."),
    ] = None,
    light_strength: Annotated[
        float | None, typer.Option("--light-strength", help="Relight: 0-1.")
    ] = None,
    preserve_subject: Annotated[
        float | None, typer.Option("--preserve-subject", help="Relight: subject kept, 0-1.")
    ] = None,
    background_depth: Annotated[
        float | None, typer.Option("--background-depth", help="Relight: depth of field, 0-1.")
    ] = None,
    keep_background: Annotated[
        bool, typer.Option("--keep-background", help="Relight: only relight, keep the scene.")
    ] = False,
    n: Count = 1,
    aspect_ratio: AspectRatio = None,
    resolution: ImageResolution = None,
    format: Format = "url",
    seed: Seed = None,
    negative: Negative = None,
    style: Style = None,
    output_format: OutputFormat = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Edit images: one to three with a prompt (x.ai), or one with an operation (Stability)."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        images=image,
        op=op,
        mask=mask,
        search=search,
        left=left,
        right=right,
        up=up,
        down=down,
        grow_mask=grow_mask,
        creativity=creativity,
        background_prompt=background,
        background_reference=background_image,
        foreground_prompt=foreground,
        light_reference=light_image,
        light_direction=light_direction,
        light_strength=light_strength,
        preserve_subject=preserve_subject,
        background_depth=background_depth,
        keep_background=keep_background or None,
        n=n,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        response_format=generate.wire_format(format),
        seed=seed,
        negative_prompt=negative,
        style=style,
        output_format=output_format,
    )
    generate.run("edit", fields, out=out, json_output=json, offline=offline)


def upscale(
    image: Annotated[
        str, typer.Argument(metavar="IMAGE", help="The image to enlarge: a path or URL.")
    ],
    mode: Annotated[
        str, typer.Option("--mode", help="fast (4x), conservative (4 MP) or creative (to 4K).")
    ] = "fast",
    prompt: Annotated[
        str, typer.Option("--prompt", help="What the image shows (conservative, creative).")
    ] = "",
    creativity: Creativity = None,
    provider: Provider = "stability",
    seed: Seed = None,
    negative: Negative = None,
    style: Style = None,
    output_format: OutputFormat = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Make an image larger (Stability): fast, conservative or creative."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        image=image,
        mode=mode,
        prompt=prompt,
        creativity=creativity,
        seed=seed,
        negative_prompt=negative,
        style=style,
        output_format=output_format,
    )
    generate.run("upscale", fields, out=out, json_output=json, offline=offline)


def control(
    image: Annotated[
        str, typer.Argument(metavar="IMAGE", help="The control image: a path or URL.")
    ],
    prompt: Annotated[
        str, typer.Argument(metavar="PROMPT", help="What to make; style-transfer needs none.")
    ] = "",
    mode: Annotated[
        str,
        typer.Option("--mode", help="sketch, structure, style or style-transfer."),
    ] = "sketch",
    style_image: Annotated[
        str | None,
        typer.Option("--style-image", help="style-transfer: the image whose style to apply."),
    ] = None,
    control_strength: Annotated[
        float | None,
        typer.Option("--control-strength", help="sketch, structure: how much the image rules."),
    ] = None,
    fidelity: Annotated[
        float | None, typer.Option("--fidelity", help="style: how closely to keep the style.")
    ] = None,
    style_strength: Annotated[
        float | None, typer.Option("--style-strength", help="style-transfer: 0-1.")
    ] = None,
    composition_fidelity: Annotated[
        float | None,
        typer.Option("--composition-fidelity", help="style-transfer: composition kept, 0-1."),
    ] = None,
    change_strength: Annotated[
        float | None,
        typer.Option("--change-strength", help="style-transfer: how much may change, 0.1-1."),
    ] = None,
    aspect_ratio: AspectRatio = None,
    provider: Provider = "stability",
    seed: Seed = None,
    negative: Negative = None,
    style: Style = None,
    output_format: OutputFormat = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
) -> None:
    """Make an image guided by another (Stability): a sketch, a structure or a style."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        image=image,
        prompt=prompt,
        mode=mode,
        style_image=style_image,
        control_strength=control_strength,
        fidelity=fidelity,
        style_strength=style_strength,
        composition_fidelity=composition_fidelity,
        change_strength=change_strength,
        aspect_ratio=aspect_ratio,
        seed=seed,
        negative_prompt=negative,
        style=style,
        output_format=output_format,
    )
    generate.run("control", fields, out=out, json_output=json, offline=offline)
