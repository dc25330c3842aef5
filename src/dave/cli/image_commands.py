"""The arguments of `dave image`, `dave edit`, `dave upscale` and `dave control`: parsing only.

Each parameter is named after the request field it fills, so errors can name the flag
(dave.cli.flags); a provider's rarer options go through `--opt name=value`. Each body is
imported when its command runs (dave.cli.generate), so `dave --help` stays fast. Values are
checked by the request models, not here; an unset flag is left out of the request.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dave.cli.options import (
    AspectRatio,
    Count,
    ImageFormat,
    ImageResolution,
    Json,
    Model,
    Negative,
    Offline,
    Opts,
    OutDir,
    PromptOptimizer,
    Provider,
    Publish,
    PublishTo,
    Queue,
    Seed,
    Style,
)

Creativity = Annotated[
    float | None, typer.Option("--creativity", help="How much may be invented, 0-1.")
]
CfgScale = Annotated[
    float | None, typer.Option("--cfg-scale", help="How closely to follow the prompt (SD 3.5).")
]
#: The image a command works on: `-i` everywhere (the positional IMAGE still works).
InputImage = Annotated[
    str | None, typer.Option("--image", "-i", help="The input image: a path or URL.")
]
OldImage = Annotated[str | None, typer.Argument(metavar="IMAGE", hidden=True)]


def image(
    ctx: typer.Context,
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="What to draw.")],
    provider: Provider = "xai",
    model: Model = None,
    n: Count = 1,
    aspect_ratio: AspectRatio = None,
    resolution: ImageResolution = None,
    width: Annotated[
        int | None, typer.Option("--width", help="Width in px, with --height (MiniMax).")
    ] = None,
    height: Annotated[
        int | None, typer.Option("--height", help="Height in px, with --width (MiniMax).")
    ] = None,
    seed: Seed = None,
    negative_prompt: Negative = None,
    style: Style = None,
    output_format: ImageFormat = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Photo of one person to keep (MiniMax).")
    ] = None,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            "-i",
            "--init-image",
            help="Start from this image, with --strength (Stability).",
        ),
    ] = None,
    strength: Annotated[
        float | None,
        typer.Option("--strength", help="Image-to-image: 0 keeps the input, 1 ignores it."),
    ] = None,
    cfg_scale: CfgScale = None,
    prompt_optimizer: PromptOptimizer = None,
    opt: Opts = None,
    publish: Publish = False,
    publish_to: PublishTo = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Generate images from a prompt (`dave providers` lists who can)."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        n=n,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        width=width,
        height=height,
        seed=seed,
        negative_prompt=negative_prompt,
        style=style,
        output_format=output_format,
        subject=subject,
        image=image,
        strength=strength,
        cfg_scale=cfg_scale,
        prompt_optimizer=prompt_optimizer,
    )
    generate.run(
        "image",
        fields,
        command=ctx.command,
        publish=publish,
        publish_to=publish_to,
        opts=opt,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
    )


def edit(
    ctx: typer.Context,
    images: Annotated[
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
    background_prompt: Annotated[
        str | None, typer.Option("--background", help="Relight: the new background.")
    ] = None,
    background_reference: Annotated[
        str | None,
        typer.Option("--background-image", help="Relight: an image the background follows."),
    ] = None,
    foreground_prompt: Annotated[
        str | None, typer.Option("--foreground", help="Relight: the subject, to keep it clean.")
    ] = None,
    light_reference: Annotated[
        str | None, typer.Option("--light-image", help="Relight: an image whose light to use.")
    ] = None,
    light_direction: Annotated[
        str | None,
        typer.Option("--light-direction", help="Relight: left, right, above or below."),
    ] = None,
    light_strength: Annotated[
        float | None, typer.Option("--light-strength", help="Relight: 0-1.")
    ] = None,
    keep_background: Annotated[
        bool, typer.Option("--keep-background", help="Relight: only relight, keep the scene.")
    ] = False,
    n: Count = 1,
    aspect_ratio: AspectRatio = None,
    resolution: ImageResolution = None,
    seed: Seed = None,
    negative_prompt: Negative = None,
    style: Style = None,
    output_format: ImageFormat = None,
    opt: Opts = None,
    publish: Publish = False,
    publish_to: PublishTo = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Edit images: as the prompt says, or with a provider's operation (`--op`)."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        images=images,
        op=op,
        mask=mask,
        search=search,
        left=left,
        right=right,
        up=up,
        down=down,
        grow_mask=grow_mask,
        creativity=creativity,
        background_prompt=background_prompt,
        background_reference=background_reference,
        foreground_prompt=foreground_prompt,
        light_reference=light_reference,
        light_direction=light_direction,
        light_strength=light_strength,
        keep_background=keep_background or None,
        n=n,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        seed=seed,
        negative_prompt=negative_prompt,
        style=style,
        output_format=output_format,
    )
    generate.run(
        "edit",
        fields,
        command=ctx.command,
        publish=publish,
        publish_to=publish_to,
        opts=opt,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
    )


def upscale(
    ctx: typer.Context,
    old_image: OldImage = None,
    image: InputImage = None,
    mode: Annotated[
        str, typer.Option("--mode", help="fast (4x), conservative (4 MP) or creative (to 4K).")
    ] = "fast",
    prompt: Annotated[
        str, typer.Option("--prompt", help="What the image shows (conservative, creative).")
    ] = "",
    creativity: Creativity = None,
    provider: Provider = "stability",
    seed: Seed = None,
    negative_prompt: Negative = None,
    style: Style = None,
    output_format: ImageFormat = None,
    opt: Opts = None,
    publish: Publish = False,
    publish_to: PublishTo = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Make an image larger: fast, conservative or creative (`-i IMAGE`)."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        image=generate.one_image(image, old_image),
        mode=mode,
        prompt=prompt,
        creativity=creativity,
        seed=seed,
        negative_prompt=negative_prompt,
        style=style,
        output_format=output_format,
    )
    generate.run(
        "upscale",
        fields,
        command=ctx.command,
        publish=publish,
        publish_to=publish_to,
        opts=opt,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
    )


def control(
    ctx: typer.Context,
    old_image: OldImage = None,
    prompt: Annotated[
        str, typer.Argument(metavar="PROMPT", help="What to make; style-transfer needs none.")
    ] = "",
    image: InputImage = None,
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
    aspect_ratio: AspectRatio = None,
    provider: Provider = "stability",
    seed: Seed = None,
    negative_prompt: Negative = None,
    style: Style = None,
    output_format: ImageFormat = None,
    opt: Opts = None,
    publish: Publish = False,
    publish_to: PublishTo = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Make an image guided by another (`-i IMAGE`): a sketch, a structure or a style."""
    from dave.cli import generate

    if image is not None and old_image is not None and not prompt:
        prompt, old_image = old_image, None  # `-i IMAGE PROMPT`: the one word given is the prompt
    fields = dict(
        provider=provider,
        image=generate.one_image(image, old_image),
        prompt=prompt,
        mode=mode,
        style_image=style_image,
        control_strength=control_strength,
        fidelity=fidelity,
        aspect_ratio=aspect_ratio,
        seed=seed,
        negative_prompt=negative_prompt,
        style=style,
        output_format=output_format,
    )
    generate.run(
        "control",
        fields,
        command=ctx.command,
        publish=publish,
        publish_to=publish_to,
        opts=opt,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
    )
