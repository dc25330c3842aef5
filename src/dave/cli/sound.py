"""How `dave lyrics` reports: the words, title and style tags, and a track's cover feature id
with the `dave music` call that uses it.

Not for running the request (dave.cli.generate does that for every kind) nor for parsing.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dave.cli.generate import copy_out, result_object
from dave.cli.output import console, emit_json, emit_line, printable

if TYPE_CHECKING:
    from dave.media.studio import Result


def song_words(result: Result) -> dict[str, Any]:
    """The lyrics answer as one object: lyrics, title, style_tags, cover_feature_id (None when
    the answer has no such part). The words come from the kept text file when the journal
    holds only the file."""
    details = (result.job.result or {}).get("details") or {}
    words = details.get("lyrics") or details.get("formatted_lyrics")
    if not words:
        texts = [
            path
            for asset, path in zip(result.assets, result.paths(), strict=True)
            if (asset.mime or "").startswith("text/")
        ]
        words = texts[0].read_text(encoding="utf-8") if texts else None
    return {
        "title": details.get("title") or details.get("song_title"),
        "style_tags": details.get("style_tags"),
        "lyrics": words,
        "cover_feature_id": details.get("cover_feature_id"),
    }


def report_lyrics(result: Result, *, out: Path | None, json_output: bool) -> None:
    copies = copy_out(result, out) if out else []
    song = song_words(result)
    if json_output:
        emit_json({**result_object(result, copies), "lyrics": song})
        return
    job = result.job
    console().print(f"job [bold]{job.id}[/bold] {job.state.value}")
    # Stdout gets the song as a person reads it: title and style, the words, the feature id.
    labels = (("title", "title"), ("style", "style_tags"))
    header = "\n".join(
        f"{label}: {printable(song[key], markup=False)}" for label, key in labels if song[key]
    )
    parts = [header, printable((song["lyrics"] or "").strip("\n"), markup=False, keep_lines=True)]
    feature = song["cover_feature_id"]
    if feature:
        parts.append(f"cover feature: {feature}")
    emit_line("\n\n".join(part for part in parts if part))
    if feature:
        style = shlex.quote(str(song["style_tags"])) if song["style_tags"] else '"STYLE"'
        console().print(
            f"cover it within 24 h: `dave music {style} --cover-feature {feature} "
            "--lyrics LYRICS_FILE`",
            soft_wrap=True,
        )
    for path in copies or result.paths():
        console().print(f"kept as {path}", soft_wrap=True)
