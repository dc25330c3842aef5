"""The bodies of the media commands (`dave image`, `edit`, `video`, `upscale`, `control`, ...):
build a request, run it in a Studio, report it.

Not for validation (dave.media does that) nor for argument parsing (dave.cli.app).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dave.cli.output import (
    console,
    emit_json,
    emit_line,
    price_text,
    progress_display,
)
from dave.core.errors import DaveError, InvalidRequest

if TYPE_CHECKING:
    from dave.media.studio import Result, Studio

_FORMATS = {"url": "url", "b64": "b64_json", "b64_json": "b64_json", "base64": "b64_json"}


def wire_format(value: str) -> str:
    """The wire's name for how images come back: url or b64_json."""
    try:
        return _FORMATS[value.lower()]
    except KeyError:
        raise InvalidRequest(f"--format must be url or b64, got {value!r}") from None


def run(
    kind: str,
    fields: dict[str, Any],
    *,
    wait: bool = True,
    out: Path | None,
    json_output: bool,
    offline: bool,
    text_files: tuple[str, ...] = (),
    reporter: Callable[..., None] | None = None,
) -> None:
    """Runs one request of `kind` from the command's fields (unset ones left out) and reports
    it. `response_format` may be the user's word (url, b64); each field in `text_files` may
    be text or the name of a file holding it."""
    request = {key: value for key, value in fields.items() if value is not None}
    if "response_format" in request:
        request["response_format"] = wire_format(request["response_format"])
    for name in text_files:
        if name in request:
            request[name] = text_or_file(request[name], name)
    result = start(
        lambda studio: studio.run({"kind": kind, **request}, wait=wait),
        offline,
        progress=not json_output,
    )
    (reporter or report)(result, out=out, json_output=json_output)


def text_or_file(value: str, field: str) -> str:
    """`value` itself, or the text of the file it names (a value that names an existing file
    is read from it: a song's lyrics are easier to keep in a file than to quote)."""
    path = Path(value).expanduser()
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # too long or not a path at all: it is text
        return value
    if not is_file:
        return value
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{field} file {value} is not UTF-8 text") from None
    except OSError as error:
        raise InvalidRequest(f"cannot read {field} file {value}: {error.strerror}") from None


def start(
    action: Callable[[Studio], Awaitable[Result]], offline: bool, *, progress: bool = True
) -> Result:
    """Runs one Studio action to its end on a fresh event loop."""
    return asyncio.run(_in_studio(action, offline=offline, progress=progress))


async def _in_studio(
    action: Callable[[Studio], Awaitable[Result]], *, offline: bool, progress: bool
) -> Result:
    from dave.media.studio import Studio

    with progress_display(progress) as on_event:
        async with Studio(offline=offline or None, on_event=on_event) as studio:
            return await action(studio)


def report(result: Result, *, out: Path | None, json_output: bool) -> None:
    copies = copy_out(result, out) if out else []
    if json_output:
        emit_json(result_object(result, copies))
        return
    job = result.job
    # What the provider says it charged, when it says; else the documented list price.
    if job.cost_usd is not None:
        cost = f", ${job.cost_usd:.4f}"
    elif job.price is not None:
        cost = f", {price_text(job.price, job.price_unit)}"
    else:
        cost = ""
    console().print(
        f"job [bold]{job.id}[/bold] {job.state.value}: {len(result.assets)} file(s){cost}"
    )
    if not result.assets and not job.terminal:
        console().print(f"still running; `dave jobs wait {job.id}` fetches it when done")
    for path in copies or [asset_path for asset_path in result.paths()]:
        emit_line(str(path))


def result_object(result: Result, copies: list[Path] | None = None) -> dict[str, Any]:
    """What `--json` prints for a finished (or submitted) job: the Studio's result, with the
    job's list price from the ledger and any copies made with `-o`."""
    payload = result.to_dict()
    payload["job"].setdefault("price", result.job.price)
    payload["job"].setdefault("price_unit", result.job.price_unit)
    if copies:
        payload["copies"] = [str(path) for path in copies]
    return payload


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
