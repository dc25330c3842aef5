"""Options several commands share, declared once: the names, short flags and help users see.

Not for command bodies nor for checking values: the request models do that, so a bad value
gets the same one-line message from the CLI, Python and the agents' tools.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _provider_name(value: str) -> str:
    # Provider names are case-insensitive on the command line (`-p XAI`, `-p MiniMax`); an
    # unknown one is refused later, by the request models, with the list of choices.
    return value.strip().lower()


Provider = Annotated[
    str,
    typer.Option(
        "--provider",
        "-p",
        help="Media provider (`dave providers` lists them).",
        callback=_provider_name,
    ),
]
Model = Annotated[
    str | None, typer.Option("--model", "-m", help="Model id (default: the provider's).")
]
AspectRatio = Annotated[str | None, typer.Option("--aspect-ratio", "-a", help="e.g. 16:9")]
OutDir = Annotated[
    Path | None, typer.Option("--out", "-o", help="Also copy the outputs into this folder.")
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
Offline = Annotated[
    bool, typer.Option("--offline", help="Use the built-in emulator: no key, no network.")
]
Queue = Annotated[
    bool,
    typer.Option("--queue", help="Journal the job for a `dave worker` and send nothing now."),
]
ImageResolution = Annotated[str | None, typer.Option("--resolution", "-r", help="1k or 2k.")]
Count = Annotated[int, typer.Option("-n", "--count", help="Number of images (1-10).")]
Opts = Annotated[
    list[str] | None,
    typer.Option(
        "--opt",
        metavar="NAME=VALUE",
        help="A provider option without a flag of its own (repeatable); "
        "`dave providers --options` lists them.",
    ),
]
Limit = Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many.")]

# --- knobs MiniMax and Stability share (each provider refuses those it lacks) ---------------

Seed = Annotated[
    int | None, typer.Option("--seed", help="Same seed, same settings: a similar result.")
]
Negative = Annotated[
    str | None,
    typer.Option(
        "--negative", "--negative-prompt", help="What the output should not show (Stability)."
    ),
]
Style = Annotated[
    str | None,
    typer.Option("--style", help="A style preset, or an art style, as the provider names them."),
]
ImageFormat = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", "--output-format", help="File format: png, jpeg or webp (Stability)."
    ),
]
AudioFormat = Annotated[
    str | None, typer.Option("--format", "-f", help="Audio file format: mp3 or wav.")
]
PromptOptimizer = Annotated[
    bool | None,
    typer.Option(
        "--prompt-optimizer/--no-prompt-optimizer",
        help="Let MiniMax rewrite the prompt first.",
        show_default=False,
    ),
]
Publish = Annotated[
    bool,
    typer.Option(
        "--publish", help="Publish the outputs once kept (to DAVE_PUBLISH_TARGET, else local)."
    ),
]
PublishTo = Annotated[
    str | None,
    typer.Option("--publish-to", metavar="TARGET", help="Publish the outputs to local or s3."),
]
