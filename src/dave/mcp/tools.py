"""The tools `dave mcp` offers: the seven media tools built from the registry exactly as the
agents' `media` set builds them (same names, parameters and descriptions; only the runner
differs), the journal's `job_status` and `job_wait`, the library's `search_assets`, and the
publish set's `publish_asset`.

Not for the protocol (server.py) nor for following a job (dave.media.following).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from dave.core.errors import DaveError, InvalidRequest
from dave.mcp import answers
from dave.mcp.progress import Reporter
from dave.media.following import Jobs
from dave.tools.base import Tool, ToolContext, ToolResult, tool
from dave.tools.media import KINDS
from dave.tools.media_run import lyrics_text, media_request
from dave.tools.media_spec import build_tool
from dave.tools.publish import publish_asset

#: How long a call waits for its job before answering with the job id: under the 60 s after
#: which common clients give up on a call.
DEFAULT_WAIT_S = 45.0
#: The longest wait a job_wait call may ask for.
MAX_WAIT_S = 3600.0


@dataclass
class CallContext(ToolContext):
    """One MCP tool call: the agents' ToolContext plus where its progress goes and how long
    it may wait."""

    reporter: Reporter | None = None
    jobs: Jobs | None = None
    wait_s: float = DEFAULT_WAIT_S
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Offered:
    """A tool as MCP lists it: the dave Tool, the model of its structuredContent, and whether
    it only reads (a hint clients use to skip asking the user)."""

    tool: Tool
    output: type[BaseModel]
    read_only: bool = False
    #: Whether a call sends a paid request (clients may ask before it).
    spends: bool = False


def _call(ctx: ToolContext) -> tuple[CallContext, Reporter, Jobs]:
    if not isinstance(ctx, CallContext) or ctx.reporter is None or ctx.jobs is None:
        raise DaveError("this tool runs inside `dave mcp` only")
    return ctx, ctx.reporter, ctx.jobs


async def _run_media(
    ctx: ToolContext, kind: str, provider: str, values: dict[str, Any], sources: frozenset[str]
) -> ToolResult:
    call, reporter, jobs = _call(ctx)
    studio = await call.media_studio()
    try:
        request = media_request(call, studio, kind, provider, values, sources)
        outcome = await jobs.start(request, reporter, call.wait_s)
    except DaveError as error:
        return answers.failed(studio, error)
    if isinstance(outcome, str):
        return answers.running(studio, outcome, time.monotonic() - call.started)
    text = await asyncio.to_thread(lyrics_text, outcome) if kind == "lyrics" else None
    return answers.finished(studio, outcome, text)


@tool
async def job_status(ctx: ToolContext, job_id: str) -> ToolResult:
    """A job's state from the journal, and its files once it is done. Sends nothing.

    Args:
        job_id: The job's id from an earlier result (j_...).
    """
    studio = await ctx.media_studio()
    try:
        job = studio.jobs.get(job_id)
    except DaveError as error:
        return answers.failed(studio, error)
    if job.terminal:
        result = studio.result(job)
        text = await asyncio.to_thread(lyrics_text, result) if job.kind == "lyrics" else None
        return answers.finished(studio, result, text)
    return answers.running(studio, job.id, None)


@tool
async def job_wait(ctx: ToolContext, job_id: str, wait_s: float = DEFAULT_WAIT_S) -> ToolResult:
    """Wait for a journaled job (one a media tool answered with while it still ran) and
    return its files, reporting progress. Returns again with the job id if it still runs
    after `wait_s`; call job_wait again then. Never sends a paid request twice.

    Args:
        job_id: The job's id from an earlier result (j_...).
        wait_s: How long to wait before answering, in seconds (0 to 3600; default 45,
            under the 60 s after which many clients give up on a call).
    """
    call, reporter, jobs = _call(ctx)
    studio = await call.media_studio()
    try:
        if not 0 <= wait_s <= MAX_WAIT_S:
            raise InvalidRequest(f"wait_s must be 0 to {MAX_WAIT_S:.0f} seconds, not {wait_s:g}")
        result = await jobs.follow(job_id, reporter, wait_s)
        if result is None:
            return answers.running(studio, job_id, wait_s)
        text = await asyncio.to_thread(lyrics_text, result) if result.job.kind == "lyrics" else None
    except DaveError as error:
        return answers.failed(studio, error)
    return answers.finished(studio, result, text)


@tool
async def search_assets(ctx: ToolContext, query: str = "", limit: int = 20) -> ToolResult:
    """Find assets in the media library by the words of their prompts, newest first; an
    empty query lists the newest. Sends nothing.

    Args:
        query: Words the prompt must contain (each as a word prefix, any case).
        limit: At most this many (1 to 200).
    """
    studio = await ctx.media_studio()
    if not 1 <= limit <= 200:
        return ToolResult.error(f"limit must be 1 to 200, not {limit}")
    text = query.strip()
    found = studio.assets.search(text, limit) if text else studio.assets.list(limit)
    return answers.asset_list(studio, found)


def offered_tools() -> list[Offered]:
    """Every tool, media first in the agents' order."""
    media = [
        Offered(
            build_tool(kind, kind.providers(), _run_media, merged=True),
            answers.JobAnswer,
            spends=True,
        )
        for kind in KINDS
    ]
    return [
        *media,
        Offered(job_status, answers.JobAnswer, read_only=True),
        Offered(job_wait, answers.JobAnswer),
        Offered(search_assets, answers.AssetList, read_only=True),
        Offered(publish_asset, answers.Published),
    ]
