"""Running one media tool call: sources turned into files or URLs, the request through the
Studio (validated, journaled, kept in the library), and the result as compact JSON.

Not for the tools' parameters (media_image.py, media_av.py) nor for how a provider is reached
(the Studio and its drivers).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dave.core.errors import DaveError, InvalidRequest, NotFound
from dave.core.redact import redact
from dave.tools.base import ToolContext, ToolResult
from dave.tools.files import confine

if TYPE_CHECKING:
    from dave.media.studio import Result, Studio

log = logging.getLogger("dave.tools")
_ASSET_ID = re.compile(r"a_[0-9A-Za-z]{4,}")
# Lyrics are a few kilobytes; a cap keeps a surprise from flooding the model's context.
_MAX_TEXT_CHARS = 20_000


async def run_media(
    ctx: ToolContext, kind: str, provider: str, values: dict[str, Any], sources: frozenset[str]
) -> ToolResult:
    """One request of `kind` for `provider` from the tool's arguments (unset ones left out)."""
    try:
        studio = await ctx.media_studio()
        request = media_request(ctx, studio, kind, provider, values, sources)
        result = await studio.run(request)
        text = await asyncio.to_thread(lyrics_text, result) if kind == "lyrics" else None
    except DaveError as error:
        return ToolResult.error(error_line(error))
    return _answer(ctx, result, text)


def media_request(
    ctx: ToolContext,
    studio: Studio,
    kind: str,
    provider: str,
    values: dict[str, Any],
    sources: frozenset[str],
) -> dict[str, Any]:
    """The Studio request a tool call asks for: unset arguments left out, and each source (an
    asset id, a workspace path, a URL) made a file path or URL the request models read."""
    request: dict[str, Any] = {"kind": kind, "provider": provider}
    request |= {name: value for name, value in values.items() if value is not None}
    for name in sources & request.keys():
        given = request[name]
        if isinstance(given, list):
            request[name] = [_source(ctx, studio, item) for item in given]
        else:
            request[name] = _source(ctx, studio, given)
    return request


def error_line(error: DaveError) -> str:
    """dave's one line for a failed call, naming the job when one was journaled."""
    line = error.user_line()
    if error.job_id and error.job_id not in line:
        line += f" (job {error.job_id})"
    return redact(line)


def _answer(ctx: ToolContext, result: Result, text: str | None) -> ToolResult:
    job = result.job
    assets = [
        {
            "id": asset.id,
            "job_id": job.id,
            "provider": asset.provider,
            "kind": asset.kind,
            "path": str(path),
            "mime": asset.mime,
            "bytes": asset.bytes,
            "width": asset.width,
            "height": asset.height,
            "duration_s": asset.duration_s,
            "prompt": asset.prompt,
        }
        for asset, path in zip(result.assets, result.paths(), strict=True)
    ]
    if ctx.on_asset is not None:
        for asset in assets:
            try:
                ctx.on_asset(asset)
            except Exception:
                # The asset is paid for and kept: a failing listener must not make the model
                # think the call failed (and pay again).
                log.exception("on_asset failed for %s", asset["id"])
    shown = {
        "job_id": job.id,
        "state": job.state.value,
        "provider": job.provider,
        "model": job.model,
        # One figure: the list price when journaled (an estimate where it rests on an
        # assumption), and beside it what the provider reported charging, if it did.
        "price": job.price,
        "price_unit": job.price_unit,
        "price_estimate": job.price_estimate or None,
        "charged_usd": job.cost_usd,
        "offline": job.offline or None,
        "assets": [
            {key: value for key, value in asset.items() if key not in ("job_id", "prompt")}
            | {"size": _size(asset)}
            for asset in assets
        ],
        # What the provider said beside the files: a song's title and style tags, a
        # cover_feature_id, seeds.
        "details": (job.result or {}).get("details") or None,
        "text": text,
    }
    return ToolResult.json(_compact(shown), assets=assets)


def lyrics_text(result: Result) -> str | None:
    """The lyrics themselves, so the model can show them or pass them to generate_music."""
    for asset, path in zip(result.assets, result.paths(), strict=True):
        if asset.kind == "text":
            text = path.read_text(encoding="utf-8")
            if len(text) > _MAX_TEXT_CHARS:
                return text[:_MAX_TEXT_CHARS] + f"\n[... cut; the whole text is at {path}]"
            return text
    return None


def _size(asset: dict[str, Any]) -> str | None:
    if asset["width"] and asset["height"]:
        return f"{asset['width']}x{asset['height']}"
    return None


def _compact(data: Any) -> Any:
    """Leaves out empty fields: fewer tokens for the model, nothing it needs lost."""
    if isinstance(data, dict):
        return {key: _compact(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [_compact(item) for item in data]
    return data


def _source(ctx: ToolContext, studio: Studio, given: str) -> str:
    """An asset id, a URL, a data URI or a path inside the workspace (or the media library)."""
    text = given.strip()
    if text.startswith(("http://", "https://", "data:")):
        return text
    if _ASSET_ID.fullmatch(text):
        try:
            asset = studio.assets.get(text)
        except NotFound:
            if not (ctx.workspace / text).exists():
                raise InvalidRequest(f"no asset {text!r} in the library") from None
        else:
            return str(studio.store.media.fetch(asset.path))
    if os.path.isabs(text):
        real = Path(text).resolve()
        allowed = [ctx.workspace.resolve(), studio.settings.media_root.resolve()]
        if any(real.is_relative_to(place) for place in allowed):
            return str(real)
        raise InvalidRequest(
            f"{text!r} is outside the workspace and the media library; give an asset id, a "
            "workspace path or a URL"
        )
    return str(confine(ctx.workspace, text))
