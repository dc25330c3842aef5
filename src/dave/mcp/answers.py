"""What a dave MCP tool answers: the structured result (and the models its outputSchema comes
from), the one-line summary, a resource link per asset and a small thumbnail per image.

Never a video or an audio file inline: clients cap a result near 1 MiB, and the file is one
`resources/read` of its link away. Not for running anything (tools.py, dave.media.following).
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

from mcp_types import ContentBlock, ImageContent, ResourceLink, TextContent
from pydantic import BaseModel, Field

from dave.core.errors import DaveError
from dave.media.studio import Result, Studio
from dave.media.thumbs import jpeg
from dave.store.assets import Asset
from dave.store.jobs import Job
from dave.tools.base import ToolResult
from dave.tools.media_run import error_line

ASSET_SCHEME = "dave://assets/"
THUMB_PX = 256
THUMB_MAX_BYTES = 100_000


class Link(BaseModel):
    """Where an asset is published."""

    target: str
    url: str
    expires_at: str | None = Field(None, description="ISO-8601 UTC; null for a lasting link.")


class AssetView(BaseModel):
    """One file in the library."""

    id: str
    uri: str = Field(description="Read the file with resources/read on this URI.")
    kind: str = Field(description="image, video, audio or text.")
    path: str = Field(description="The file on this machine.")
    mime: str | None
    sha256: str
    bytes: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    prompt: str | None = None
    published: list[Link] = Field(default_factory=list)


class JobView(BaseModel):
    """One journaled job."""

    id: str
    state: str = Field(
        description="created, submitting, submitted, downloading, done, "
        "failed, expired, cancelled or unknown."
    )
    provider: str
    kind: str
    model: str
    price: float | None = Field(None, description="The list price when journaled.")
    price_unit: str | None = None
    price_estimate: bool = False
    charged_usd: float | None = Field(None, description="What the provider said it charged.")
    offline: bool = Field(False, description="Made by the built-in emulator (costs nothing).")
    error: str | None = None
    created_at: str


class JobAnswer(BaseModel):
    """A media call's or a job's result: the job, its files, and what to do next."""

    job: JobView
    done: bool = Field(description="True once every file is downloaded, checked and kept.")
    assets: list[AssetView] = Field(default_factory=list)
    text: str | None = Field(None, description="Lyrics: the words themselves.")
    details: dict[str, Any] | None = Field(
        None, description="What the provider said beside the files (a song's title, seeds)."
    )
    next: str | None = Field(None, description="What to call next while the job runs.")


class AssetList(BaseModel):
    """Assets from the library, newest first."""

    assets: list[AssetView]


class Published(BaseModel):
    """An asset at a lasting link."""

    asset_id: str
    target: str
    url: str
    expires_at: str | None = None


def job_view(job: Job) -> JobView:
    return JobView(
        id=job.id,
        state=job.state.value,
        provider=job.provider,
        kind=job.kind,
        model=job.model,
        price=job.price,
        price_unit=job.price_unit,
        price_estimate=job.price_estimate,
        charged_usd=job.cost_usd,
        offline=job.offline,
        error=job.error,
        created_at=job.created_at,
    )


def asset_view(studio: Studio, asset: Asset) -> AssetView:
    links = [
        Link(target=row.target, url=row.url, expires_at=row.expires_at)
        for row in studio.store.publications.for_asset(asset.id)
    ]
    return AssetView(
        id=asset.id,
        uri=ASSET_SCHEME + asset.id,
        kind=asset.kind,
        path=str(studio.store.media.absolute(asset.path)),
        mime=asset.mime,
        sha256=asset.sha256,
        bytes=asset.bytes,
        width=asset.width,
        height=asset.height,
        duration_s=asset.duration_s,
        prompt=asset.prompt,
        published=links,
    )


def finished(studio: Studio, result: Result, text: str | None = None) -> ToolResult:
    """The answer for a job that has ended (or stopped being followed)."""
    job = result.job
    views = [asset_view(studio, asset) for asset in result.assets]
    answer = JobAnswer(
        job=job_view(job),
        done=job.state.value == "done",
        assets=views,
        text=text,
        details=(job.result or {}).get("details") or None,
    )
    if answer.done:
        made = ", ".join(_describe(view) for view in views) or "no files"
        line = f"job {job.id} done ({job.provider} {job.model}{_price(job)}): {made}"
    else:
        line = f"job {job.id} is {job.state.value}"
        line += f": {job.error}" if job.error else ""
    return _result(line, answer, views)


def running(studio: Studio, job_id: str, waited_s: float | None) -> ToolResult:
    """The answer for a job still running (when the call's wait ran out, after `waited_s`)."""
    job = studio.jobs.get(job_id)
    then = f'call job_wait with job_id "{job.id}" to wait for it'
    answer = JobAnswer(
        job=job_view(job),
        done=False,
        next=f"{then}; it is journaled and keeps running here, so nothing is lost or paid twice",
    )
    after = f" after {waited_s:.0f} s" if waited_s is not None else ""
    line = f"job {job.id} is still {job.state.value}{after}; {then}"
    return _result(line, answer, [])


def failed(studio: Studio, error: DaveError) -> ToolResult:
    """A refusal (nothing journaled) or a failed job (named, with its journal row)."""
    result = ToolResult.error(error_line(error))
    if error.job_id:
        try:
            job = studio.jobs.get(error.job_id)
        except DaveError:
            return result
        result.data = JobAnswer(job=job_view(job), done=False).model_dump(mode="json")
    return result


def asset_list(studio: Studio, assets: list[Asset]) -> ToolResult:
    views = [asset_view(studio, asset) for asset in assets]
    line = f"{len(views)} asset(s)" + (
        ": " + "; ".join(_describe(v) for v in views[:5]) if views else ""
    )
    return _result(line + ("; ..." if len(views) > 5 else ""), AssetList(assets=views), views)


def _result(line: str, answer: BaseModel, views: list[AssetView]) -> ToolResult:
    return ToolResult(
        line,
        data=answer.model_dump(mode="json"),
        assets=[view.model_dump(mode="json") for view in views],
    )


def _describe(view: AssetView) -> str:
    facts = [view.kind]
    if view.width and view.height:
        facts.append(f"{view.width}x{view.height}")
    if view.duration_s:
        facts.append(f"{view.duration_s:.1f} s")
    return f"{view.id} ({' '.join(facts)}) at {view.path}"


def _price(job: Job) -> str:
    if job.offline:
        return ", offline"
    if job.price is None:
        return ""
    unit = "USD" if job.price_unit == "usd" else (job.price_unit or "")
    return f", {'about ' if job.price_estimate else ''}{job.price:g} {unit}"


# --- content blocks ---------------------------------------------------------------------


async def content_blocks(result: ToolResult) -> list[ContentBlock]:
    """The result's `content`: its line, a link per asset, a thumbnail per image."""
    blocks: list[ContentBlock] = [TextContent(type="text", text=result.content)]
    for asset in result.assets:
        link = ResourceLink(
            type="resource_link",
            uri=asset["uri"],
            name=asset["id"],
            title=_title(asset),
            mime_type=asset["mime"],
            size=asset["bytes"],
        )
        blocks.append(link)
    for asset in result.assets:
        if asset["kind"] == "image":
            thumb = await asyncio.to_thread(jpeg, Path(asset["path"]), THUMB_PX, THUMB_MAX_BYTES)
            if thumb is not None:
                data = base64.b64encode(thumb).decode()
                blocks.append(ImageContent(type="image", data=data, mime_type="image/jpeg"))
    return blocks


def _title(asset: dict[str, Any]) -> str:
    prompt = (asset.get("prompt") or "").strip()
    shown = prompt if len(prompt) <= 60 else prompt[:57] + "..."
    return f"{asset['kind']}: {shown}" if shown else str(asset["kind"])
