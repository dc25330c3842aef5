"""The arguments of `dave video`, `dave music` and `dave lyrics`: parsing only.

Each parameter is named after the request field it fills, so errors can name the flag
(dave.cli.flags); a provider's rarer options go through `--opt name=value`. Each body is
imported when its command runs (dave.cli.generate, dave.cli.sound), so `dave --help` stays
fast. Values are checked by the request models, not here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dave.cli.options import (
    AspectRatio,
    AudioFormat,
    Json,
    Model,
    Offline,
    Opts,
    OutDir,
    PromptOptimizer,
    Provider,
    Publish,
    PublishTo,
    Queue,
    Seed,
)


def video(
    ctx: typer.Context,
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="What happens in the video.")],
    image: Annotated[
        str | None,
        typer.Option("--image", "--first-frame", "-i", help="First frame (path or URL)."),
    ] = None,
    last_frame: Annotated[
        str | None,
        typer.Option("--last-frame", help="The final frame, on the models that take one."),
    ] = None,
    references: Annotated[
        list[str] | None,
        typer.Option("--reference", help="Reference image (path or URL), up to 7."),
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Photo of the one person to feature (MiniMax).")
    ] = None,
    edit_video: Annotated[
        str | None, typer.Option("--edit", help="Edit this video (path or URL).")
    ] = None,
    extend_video: Annotated[
        str | None, typer.Option("--extend", help="Extend this video (path or URL).")
    ] = None,
    duration: Annotated[int | None, typer.Option("--duration", "-d", help="Seconds.")] = None,
    aspect_ratio: AspectRatio = None,
    resolution: Annotated[
        str | None,
        typer.Option("--resolution", "-r", help="Such as 720p or 1080P, as the model allows."),
    ] = None,
    prompt_optimizer: PromptOptimizer = None,
    provider: Provider = "xai",
    model: Model = None,
    opt: Opts = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Submit and return; `dave jobs wait ID` later.")
    ] = False,
    publish: Publish = False,
    publish_to: PublishTo = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Make a video: from text, a first frame, reference images, or by editing or extending one."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        image=image,
        references=references or None,
        last_frame=last_frame,
        subject=subject,
        edit_video=edit_video,
        extend_video=extend_video,
        duration=duration,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        prompt_optimizer=prompt_optimizer,
    )
    generate.run(
        "video",
        fields,
        command=ctx.command,
        publish=publish,
        publish_to=publish_to,
        opts=opt,
        wait=not no_wait,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
    )


def music(
    ctx: typer.Context,
    prompt: Annotated[
        str, typer.Argument(metavar="PROMPT", help="Style, mood and scene; or the sound to make.")
    ],
    lyrics: Annotated[
        str | None,
        typer.Option("--lyrics", "-l", help="The words, or a file holding them (MiniMax)."),
    ] = None,
    instrumental: Annotated[
        bool, typer.Option("--instrumental", help="No vocals (MiniMax).")
    ] = False,
    lyrics_optimizer: Annotated[
        bool, typer.Option("--write-lyrics", help="No lyrics given: MiniMax writes them.")
    ] = False,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="A track: to cover (MiniMax) or transform (Stability)."),
    ] = None,
    cover_feature_id: Annotated[
        str | None,
        typer.Option("--cover-feature", help="A cover feature id from `dave lyrics --from-track`."),
    ] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", "-d", help="Seconds (Stability).")
    ] = None,
    output_format: AudioFormat = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Sampling steps (Stability).")
    ] = None,
    cfg_scale: Annotated[
        float | None, typer.Option("--cfg-scale", help="How closely to follow the prompt, 1-25.")
    ] = None,
    strength: Annotated[
        float | None,
        typer.Option("--strength", help="With --reference: 0 keeps the track, 1 ignores it."),
    ] = None,
    mask_start: Annotated[
        float | None, typer.Option("--mask-start", help="Inpaint from this second (Stability).")
    ] = None,
    mask_end: Annotated[
        float | None, typer.Option("--mask-end", help="Inpaint up to this second (Stability).")
    ] = None,
    sample_rate: Annotated[
        int | None, typer.Option("--sample-rate", help="Hz: 16000 to 44100 (MiniMax).")
    ] = None,
    bitrate: Annotated[
        int | None, typer.Option("--bitrate", help="bit/s: 32000 to 256000 (MiniMax).")
    ] = None,
    seed: Seed = None,
    provider: Provider = "minimax",
    model: Model = None,
    opt: Opts = None,
    publish: Publish = False,
    publish_to: PublishTo = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Make music: a song, an instrumental or a cover (MiniMax), or sound (Stable Audio)."""
    from dave.cli import generate

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        lyrics=lyrics,
        instrumental=instrumental or None,
        lyrics_optimizer=lyrics_optimizer or None,
        reference=reference,
        cover_feature_id=cover_feature_id,
        duration=duration,
        output_format=output_format,
        steps=steps,
        cfg_scale=cfg_scale,
        strength=strength,
        mask_start=mask_start,
        mask_end=mask_end,
        sample_rate=sample_rate,
        bitrate=bitrate,
        seed=seed,
    )
    generate.run(
        "music",
        fields,
        command=ctx.command,
        publish=publish,
        publish_to=publish_to,
        opts=opt,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
        text_files=("lyrics",),
    )


def lyrics(
    ctx: typer.Context,
    prompt: Annotated[
        str,
        typer.Argument(metavar="PROMPT", help="Theme and style (or, with --edit, what to change)."),
    ] = "",
    lyrics: Annotated[
        str | None,
        typer.Option("--edit", help="Revise these lyrics (text, or a file holding them)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The song's title.")] = None,
    track: Annotated[
        str | None,
        typer.Option("--from-track", help="Read a track's lyrics and get its cover feature id."),
    ] = None,
    provider: Provider = "minimax",
    model: Model = None,
    opt: Opts = None,
    out: OutDir = None,
    json: Json = False,
    offline: Offline = False,
    queue: Queue = False,
) -> None:
    """Write song lyrics, edit them, or read them from a track (MiniMax)."""
    from dave.cli import generate, sound

    fields = dict(
        provider=provider,
        model=model,
        prompt=prompt,
        mode="edit" if lyrics is not None else None,
        lyrics=lyrics,
        title=title,
        track=track,
    )
    generate.run(
        "lyrics",
        fields,
        command=ctx.command,
        opts=opt,
        out=out,
        json_output=json,
        offline=offline,
        queue=queue,
        text_files=("lyrics",),
        reporter=sound.report_lyrics,
    )
