"""The bodies of `dave image`, `dave edit` and `dave video`: build a request, run it, report.

Not for validation (dave.media does that) nor for argument parsing (dave.cli.app).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dave.cli.output import console, emit_json, emit_line, progress_display
from dave.core.errors import DaveError, InvalidRequest

if TYPE_CHECKING:
    from dave.media.studio import Result, Studio

_FORMATS = {"url": "url", "b64": "b64_json", "b64_json": "b64_json", "base64": "b64_json"}


def wire_format(value: str) -> str:
    try:
        return _FORMATS[value.lower()]
    except KeyError:
        raise InvalidRequest(f"--format must be url or b64, got {value!r}") from None


def image(fields: dict[str, Any], *, out: Path | None, json_output: bool, offline: bool) -> None:
    run_one(lambda studio: studio.image(**fields), out, json_output, offline)


def edit(fields: dict[str, Any], *, out: Path | None, json_output: bool, offline: bool) -> None:
    run_one(lambda studio: studio.edit(**fields), out, json_output, offline)


def video(
    fields: dict[str, Any], *, wait: bool, out: Path | None, json_output: bool, offline: bool
) -> None:
    run_one(lambda studio: studio.video(**fields, wait=wait), out, json_output, offline)


def run_one(
    start: Callable[[Studio], Awaitable[Result]],
    out: Path | None,
    json_output: bool,
    offline: bool,
) -> None:
    """Runs one generation in a Studio and reports it; errors keep their job id for `--json`."""
    try:
        result = asyncio.run(_in_studio(start, offline=offline, progress=not json_output))
    except DaveError as error:
        if json_output:
            emit_json({"error": error_object(error)})
        raise
    report(result, out=out, json_output=json_output)


def error_object(error: DaveError) -> dict[str, Any]:
    """What `--json` prints when a command fails (the one line still goes to stderr)."""
    return {
        "type": type(error).__name__,
        "message": error.message,
        "hint": error.hint,
        "job_id": error.job_id,
        "provider": getattr(error, "provider", None),
        "status": getattr(error, "status", None),
    }


async def _in_studio(
    start: Callable[[Studio], Awaitable[Result]], *, offline: bool, progress: bool
) -> Result:
    from dave.media.studio import Studio

    with progress_display(progress) as on_event:
        async with Studio(offline=offline or None, on_event=on_event) as studio:
            return await start(studio)


def report(result: Result, *, out: Path | None, json_output: bool) -> None:
    copies = copy_out(result, out) if out else []
    if json_output:
        payload = result.to_dict()
        if copies:
            payload["copies"] = [str(path) for path in copies]
        emit_json(payload)
        return
    job = result.job
    cost = f", ${job.cost_usd:.4f}" if job.cost_usd is not None else ""
    console().print(
        f"job [bold]{job.id}[/bold] {job.state.value}: {len(result.assets)} file(s){cost}"
    )
    if not result.assets and not job.terminal:
        console().print(f"still running; `dave jobs wait {job.id}` fetches it when done")
    for path in copies or [asset_path for asset_path in result.paths()]:
        emit_line(str(path))


def copy_out(result: Result, out: Path) -> list[Path]:
    """Copies each asset into `out` under a name a person can read: prompt words, job, index."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DaveError(f"cannot create {out}: {error.strerror}") from None
    slug = _slug(str(result.job.request.get("prompt", ""))) or result.job.kind
    copies = []
    for asset, source in zip(result.assets, result.paths(), strict=True):
        target = out / f"{slug}-{result.job.id[-6:].lower()}-{asset.index + 1}{source.suffix}"
        shutil.copyfile(source, target)
        copies.append(target)
    return copies


def _slug(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-")
