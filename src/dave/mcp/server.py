"""dave's MCP server: the SDK's MCPServer, with its tool and resource lists read from dave's
own registry rather than from Python signatures, so an MCP client sees exactly the schemas,
descriptions and one-line errors the agents' tools have.

Tools come from tools.py; `dave://assets/{id}` reads a library file, `dave://recent/{kind}`
lists the newest assets. Not for the transports (serve.py) nor for following jobs
(dave.media.following).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from mcp_types import Resource as MCPResource
from mcp_types import ResourceTemplate as MCPResourceTemplate
from mcp_types import Tool as MCPTool
from pydantic import AnyUrl

from dave.core.errors import NotFound
from dave.core.version import __version__
from dave.mcp import answers
from dave.mcp.progress import Reporter
from dave.mcp.tools import DEFAULT_WAIT_S, CallContext, Offered, offered_tools
from dave.media.capabilities import label
from dave.media.following import Jobs
from dave.media.studio import Studio

#: Larger files are not sent through resources/read: base64 makes them a third bigger, and
#: clients hold a whole result in memory. Their path is in every result.
MAX_RESOURCE_BYTES = 10 * 1024 * 1024
RECENT_SCHEME = "dave://recent/"
_RECENT_KINDS = ("all", "image", "video", "audio", "text")
_INSTRUCTIONS = (
    "dave makes images, videos, music and lyrics with x.ai, MiniMax and Stability AI. Every "
    "call is validated before anything is paid for, journaled, and its files are downloaded at "
    "once into a local library. A long job (a video) answers with its job id after wait_s; "
    "call job_wait with that id to get its files. Read a file with resources/read on its "
    "dave://assets/ link."
)


class DaveMCP(MCPServer[Any]):
    """The MCP server over one open Studio."""

    def __init__(self, studio: Studio, jobs: Jobs, *, workspace: Path, wait_s: float) -> None:
        super().__init__(
            name="dave",
            title="dave",
            instructions=_INSTRUCTIONS,
            version=__version__,
            log_level="WARNING",
        )
        self._studio = studio
        self._jobs = jobs
        self._workspace = workspace
        self._wait_s = wait_s
        self._offered = {offered.tool.name: offered for offered in offered_tools()}
        # Schemas do not change while the server runs; building them costs ~40 ms a listing.
        self._listed = [_listed(offered) for offered in self._offered.values()]

    # -- tools ---------------------------------------------------------------------------

    async def list_tools(self) -> list[MCPTool]:
        return list(self._listed)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult:
        offered = self._offered.get(name)
        if offered is None:
            raise ToolError(f"no tool {name!r}; tools/list gives the {len(self._offered)} tools")

        async def send(progress: float, total: float | None, message: str | None) -> None:
            if context is not None:
                await context.report_progress(progress, total, message)

        reporter = Reporter(send, self._provider_label)
        call = CallContext(
            workspace=self._workspace,
            studio=self._studio,
            reporter=reporter,
            jobs=self._jobs,
            wait_s=self._wait_s,
        )
        try:
            result = await offered.tool.call(arguments, call)
        finally:
            await reporter.close()
        if result.is_error:
            return CallToolResult(
                content=[TextContent(type="text", text=result.content)],
                structured_content=result.data,
                is_error=True,
            )
        return CallToolResult(
            content=await answers.content_blocks(result), structured_content=result.data
        )

    def _provider_label(self, job_id: str) -> str:
        try:
            return label(self._studio.jobs.get(job_id).provider)
        except NotFound:
            return "the provider"

    # -- resources -----------------------------------------------------------------------

    async def list_resources(self) -> list[MCPResource]:
        newest = self._studio.assets.list(50)
        return [
            MCPResource(
                uri=answers.ASSET_SCHEME + asset.id,
                name=asset.id,
                title=f"{asset.kind}: {(asset.prompt or '')[:60]}".rstrip(": "),
                description=asset.prompt,
                mime_type=asset.mime,
                size=asset.bytes,
            )
            for asset in newest
        ]

    async def list_resource_templates(self) -> list[MCPResourceTemplate]:
        return [
            MCPResourceTemplate(
                uri_template=answers.ASSET_SCHEME + "{asset_id}",
                name="asset",
                title="A file from dave's media library",
                description=f"The file itself (up to {MAX_RESOURCE_BYTES // 2**20} MiB; "
                "larger ones are read from their path).",
            ),
            MCPResourceTemplate(
                uri_template=RECENT_SCHEME + "{kind}",
                name="recent",
                title="The newest assets",
                description="The 50 newest assets of a kind (" + ", ".join(_RECENT_KINDS) + "), "
                "as JSON.",
                mime_type="application/json",
            ),
        ]

    async def read_resource(
        self, uri: AnyUrl | str, context: Context[Any, Any] | None = None
    ) -> Iterable[ReadResourceContents]:
        text = str(uri)
        if text.startswith(answers.ASSET_SCHEME):
            return [await self._read_asset(text.removeprefix(answers.ASSET_SCHEME))]
        if text.startswith(RECENT_SCHEME):
            return [self._recent(text.removeprefix(RECENT_SCHEME))]
        raise ResourceNotFoundError(
            f"no resource {text}; dave serves {answers.ASSET_SCHEME}{{id}} and "
            f"{RECENT_SCHEME}{{kind}}"
        )

    async def _read_asset(self, asset_id: str) -> ReadResourceContents:
        try:
            asset = self._studio.assets.get(asset_id)
        except NotFound:
            raise ResourceNotFoundError(f"no asset {asset_id!r} in the library") from None
        path = self._studio.store.media.absolute(asset.path)
        if asset.bytes > MAX_RESOURCE_BYTES:
            raise ResourceError(
                f"{asset.id} is {asset.bytes / 2**20:.1f} MiB, over the "
                f"{MAX_RESOURCE_BYTES // 2**20} MiB dave sends as a resource; read it from {path}"
            )
        try:
            path = await asyncio.to_thread(self._studio.store.media.fetch, asset.path)
            data = await asyncio.to_thread(path.read_bytes)
        except NotFound as error:
            raise ResourceError(f"{asset.id}'s file is missing: {error.message}") from None
        except OSError as error:
            raise ResourceError(f"{asset.id}'s file cannot be read ({error.strerror})") from None
        if asset.kind == "text":
            return ReadResourceContents(data.decode("utf-8", "replace"), asset.mime or "text/plain")
        return ReadResourceContents(data, asset.mime or "application/octet-stream")

    def _recent(self, kind: str) -> ReadResourceContents:
        if kind not in _RECENT_KINDS:
            raise ResourceNotFoundError(
                f"no kind {kind!r}; choose one of {', '.join(_RECENT_KINDS)}"
            )
        assets = self._studio.assets.list(50, kind=None if kind == "all" else kind)
        views = [
            answers.asset_view(self._studio, asset).model_dump(mode="json") for asset in assets
        ]
        return ReadResourceContents(json.dumps({"assets": views}), "application/json")


def _listed(offered: Offered) -> MCPTool:
    tool = offered.tool
    return MCPTool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.parameters,
        output_schema=offered.output.model_json_schema(mode="serialization"),
        annotations=ToolAnnotations(
            read_only_hint=offered.read_only,
            destructive_hint=False,
            # A paid call reaches a provider; the rest stay on this machine.
            open_world_hint=offered.spends,
            idempotent_hint=offered.read_only,
        ),
    )


__all__ = ["DEFAULT_WAIT_S", "MAX_RESOURCE_BYTES", "DaveMCP"]
