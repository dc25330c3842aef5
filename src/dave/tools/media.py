"""The media tool sets: `media_<provider>` with one tool per kind that provider's models do,
and `media`, the same tools for every provider at once, chosen by a `provider` parameter.

Each call goes through the Studio, so every generation is validated, journaled and kept in the
library. Not for the rules of a request (dave.media.requests and the provider rules check
those, and its field docs become the parameter descriptions) nor for how a provider is reached.
"""

from __future__ import annotations

from dave.media.capabilities import models
from dave.tools.base import ToolSet
from dave.tools.media_run import run_media
from dave.tools.media_spec import Kind, build_tool

_BILLED = "Each image is billed; the result gives each new asset's id, file path and size."
_ONE = "Billed per image; the result gives the new asset's id, path and size."

#: Every media tool, in the order a set offers them; what each provider does for its kind,
#: and every parameter, comes from that provider's slice.
KINDS: tuple[Kind, ...] = (
    Kind("image", "generate_image", "Make images from a text prompt", _BILLED),
    Kind("edit", "edit_image", "Edit existing images", _BILLED),
    Kind(
        "video",
        "generate_video",
        "Make one video",
        "Billed per video or per second; waits until the video is ready (often a minute or "
        "more). The result gives the asset's id, file path and duration.",
    ),
    Kind("upscale", "upscale_image", "Make an image larger", _ONE),
    Kind("control", "control_image", "Make an image guided by another", _ONE),
    Kind(
        "music",
        "generate_music",
        "Make music",
        "Billed per track; the result gives the audio asset's id, file path and duration.",
    ),
    Kind(
        "lyrics",
        "write_lyrics",
        "Write song lyrics",
        "The result holds the lyrics text, a title and style tags that suit generate_music's "
        "prompt.",
    ),
)


def media_tools(provider: str) -> ToolSet:
    """The media tools for one provider: one per kind of request its models can do, each
    taking only the parameters that provider supports."""
    tools = [
        build_tool(kind, (provider,), run_media, merged=False)
        for kind in KINDS
        if models(provider, kind.kind)
    ]
    return ToolSet(f"media_{provider}", tools)


def all_media_tools() -> ToolSet:
    """One tool per kind for all providers: a `provider` parameter lists those that can do the
    kind (the first of x.ai, MiniMax, Stability is the default).

    One name per kind, not one per provider and kind: a general agent picks the tool from what
    is asked (an image, a song) and the provider only when the person names one, and the list
    stays seven tools long rather than twelve.
    """
    return ToolSet(
        "media", [build_tool(kind, kind.providers(), run_media, merged=True) for kind in KINDS]
    )
