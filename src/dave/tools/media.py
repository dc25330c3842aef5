"""The media tools: one set per provider (generate_image, edit_image, generate_video), each call
going through the Studio, so every generation is validated, journaled and kept in the library.

Not for the rules of a request (dave.media.requests checks those, and its field docs become the
parameter descriptions here) nor for how a provider is reached (the Studio and its drivers).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from dave.core.errors import DaveError, InvalidRequest, NotFound
from dave.core.redact import redact
from dave.media.capabilities import models
from dave.media.requests import ImageRequest, VideoRequest
from dave.tools.base import ToolContext, ToolResult, ToolSet, tool
from dave.tools.files import confine

if TYPE_CHECKING:
    from dave.media.studio import Studio

log = logging.getLogger("dave.tools")
_ASSET_ID = re.compile(r"a_[0-9A-Za-z]{4,}")
_LABELS = {"xai": "x.ai Grok Imagine", "minimax": "MiniMax", "stability": "Stability AI"}


def _about(model: type[Any], name: str) -> str:
    return " ".join((model.model_fields[name].description or "").split())


Prompt = Annotated[str, Field(description=_about(ImageRequest, "prompt"))]
Count = Annotated[int, Field(description=_about(ImageRequest, "n"))]
AspectRatio = Annotated[str | None, Field(description=_about(ImageRequest, "aspect_ratio"))]
Resolution = Annotated[str | None, Field(description=_about(ImageRequest, "resolution"))]
ImageModel = Annotated[str | None, Field(description=_about(ImageRequest, "model"))]
Sources = Annotated[
    list[str],
    Field(
        description="The images to edit, 1-3: asset ids from earlier results (a_...), paths "
        "inside the workspace, or http(s) URLs."
    ),
]
VideoPrompt = Annotated[
    str, Field(description="What happens in the video, up to 4,096 characters.")
]
FirstFrame = Annotated[
    str | None,
    Field(
        description="Image-to-video: the first frame, as an asset id (a_...), a path inside "
        "the workspace or an http(s) URL. Unset makes the video from the prompt alone."
    ),
]
Duration = Annotated[
    int | None,
    Field(description="Length in whole seconds (x.ai: 1-15, default 8); billed per second."),
]
VideoAspectRatio = Annotated[str | None, Field(description=_about(VideoRequest, "aspect_ratio"))]
VideoResolution = Annotated[str | None, Field(description=_about(VideoRequest, "resolution"))]
VideoModel = Annotated[str | None, Field(description=_about(VideoRequest, "model"))]


def media_tools(provider: str) -> ToolSet:
    """The media tools for one provider: one per kind of request its models can do."""
    label = _LABELS.get(provider, provider)
    tools = []
    if models(provider, "image"):

        async def generate_image(
            ctx: ToolContext,
            prompt: Prompt,
            n: Count = 1,
            aspect_ratio: AspectRatio = None,
            resolution: Resolution = None,
            model: ImageModel = None,
        ) -> ToolResult:
            options = {"n": n, "aspect_ratio": aspect_ratio, "resolution": resolution}
            return await _generate(ctx, "image", prompt, provider=provider, model=model, **options)

        tools.append(
            tool(
                generate_image,
                description=f"Make images from a text prompt with {label}. Each image is "
                "billed; the result gives each new asset's id and file path.",
            )
        )
    if models(provider, "edit"):

        async def edit_image(
            ctx: ToolContext,
            prompt: Prompt,
            images: Sources,
            n: Count = 1,
            aspect_ratio: AspectRatio = None,
            model: ImageModel = None,
        ) -> ToolResult:
            options = {"n": n, "aspect_ratio": aspect_ratio, "images": images}
            return await _generate(ctx, "edit", prompt, provider=provider, model=model, **options)

        tools.append(
            tool(
                edit_image,
                description=f"Change one to three existing images as the prompt says, with "
                f"{label}. The result gives each new asset's id and file path.",
            )
        )
    if models(provider, "video"):

        async def generate_video(
            ctx: ToolContext,
            prompt: VideoPrompt,
            image: FirstFrame = None,
            duration: Duration = None,
            aspect_ratio: VideoAspectRatio = None,
            resolution: VideoResolution = None,
            model: VideoModel = None,
        ) -> ToolResult:
            options = {
                "image": image,
                "duration": duration,
                "aspect_ratio": aspect_ratio,
                "resolution": resolution,
            }
            return await _generate(ctx, "video", prompt, provider=provider, model=model, **options)

        tools.append(
            tool(
                generate_video,
                description=f"Make one video with {label}, from a prompt or from a first frame. "
                "Billed per second; waits until the video is ready (often a minute or more). "
                "The result gives the asset's id and file path.",
            )
        )
    return ToolSet(f"media_{provider}", tools)


async def _generate(ctx: ToolContext, kind: str, prompt: str, **options: Any) -> ToolResult:
    options = {name: value for name, value in options.items() if value is not None}
    try:
        studio = await ctx.media_studio()
        if "images" in options:
            options["images"] = [_source(ctx, studio, item) for item in options["images"]]
        if "image" in options:
            options["image"] = _source(ctx, studio, options["image"])
        if kind == "image":
            result = await studio.image(prompt, **options)
        elif kind == "edit":
            images = options.pop("images")
            result = await studio.edit(prompt, images, **options)
        else:
            result = await studio.video(prompt, **options)
    except DaveError as error:
        line = error.user_line()
        if error.job_id and error.job_id not in line:
            line += f" (job {error.job_id})"
        return ToolResult.error(redact(line))
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
        "cost_usd": job.cost_usd,
        "assets": [
            {key: value for key, value in asset.items() if key not in ("job_id", "prompt")}
            | {"size": _size(asset)}
            for asset in assets
        ],
    }
    return ToolResult.json(_compact(shown), assets=assets)


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
            return str(studio.store.media.absolute(asset.path))
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
