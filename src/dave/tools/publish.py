"""The publish tool set: `publish_asset` puts an asset from the library at a lasting link (a
local folder, or an S3-compatible store) and hands the model the URL.

Not for how a target stores bytes (dave.publish) nor for making assets (the media tools).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from dave.core.errors import DaveError
from dave.tools.base import ToolContext, ToolResult, ToolSet, tool


@tool
async def publish_asset(
    ctx: ToolContext, asset_id: str, target: Literal["local", "s3"] = "local"
) -> ToolResult:
    """Publish an asset from the media library at a lasting link and return the URL. Provider
    links expire within the hour; this one does not (or, for a private S3 bucket, lasts until
    `expires_at`). Publishing the same asset again sends nothing and returns the same link.

    Args:
        asset_id: The asset's id from an earlier result (a_...).
        target: `local` (a folder on this machine, a file:// URL) or `s3` (the configured
            S3-compatible bucket, an https URL).
    """
    from dave.publish.publisher import Publisher
    from dave.publish.settings import open_target

    try:
        studio = await ctx.media_studio()
        chosen = open_target(target, studio.settings)
        publisher = Publisher(studio.store, chosen)
        row = await asyncio.to_thread(publisher.publish, asset_id)
    except DaveError as error:
        return ToolResult.error(error.user_line())
    return ToolResult.json(
        {
            "asset_id": row.asset_id,
            "target": row.target,
            "url": row.url,
            "expires_at": row.expires_at,
        }
    )


def publish_tools() -> ToolSet:
    """publish_asset."""
    return ToolSet("publish", [publish_asset])
