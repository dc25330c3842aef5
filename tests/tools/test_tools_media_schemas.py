"""What the media tools offer a model: one tool per kind a provider's models do, each taking
only what that provider supports, and the merged `media` set with a `provider` choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dave.emulator import EmulatorServer
from dave.media import catalog
from dave.media.capabilities import capability, models
from dave.media.requests import (
    OUTPUT_MEDIUM,
    ControlRequest,
    EditRequest,
    ImageRequest,
    LyricsRequest,
    MusicRequest,
    UpscaleRequest,
    VideoRequest,
)
from dave.media.stability import routes as stability_routes
from dave.media.xai import rules as xai_rules
from dave.tools import BUILTIN_TOOLSETS, ToolContext, media_tools
from dave.tools.media import KINDS, all_media_tools

XAI, MINIMAX, STABILITY = (media_tools(p) for p in ("xai", "minimax", "stability"))
MEDIA = all_media_tools()
KIND_OF = {kind.tool: kind.kind for kind in KINDS}
REQUESTS: dict[str, Any] = {
    "image": ImageRequest,
    "edit": EditRequest,
    "video": VideoRequest,
    "upscale": UpscaleRequest,
    "control": ControlRequest,
    "music": MusicRequest,
    "lyrics": LyricsRequest,
}


def props(toolset: Any, name: str) -> dict[str, Any]:
    return toolset.get(name).parameters["properties"]


def required(toolset: Any, name: str) -> list[str]:
    return toolset.get(name).parameters.get("required", [])


def enum(schema: dict[str, Any]) -> list[Any]:
    """The enum of a property, whether or not it may also be null."""
    if "enum" in schema:
        return schema["enum"]
    [choice] = [option["enum"] for option in schema.get("anyOf", []) if "enum" in option]
    return choice


def test_each_provider_set_offers_one_tool_per_kind_its_models_do() -> None:
    assert XAI.names() == ["generate_image", "edit_image", "generate_video"]
    assert MINIMAX.names() == ["generate_image", "generate_video", "generate_music", "write_lyrics"]
    assert STABILITY.names() == [
        "generate_image",
        "edit_image",
        "upscale_image",
        "control_image",
        "generate_music",
    ]
    for provider, toolset in (("xai", XAI), ("minimax", MINIMAX), ("stability", STABILITY)):
        assert BUILTIN_TOOLSETS[f"media_{provider}"]().names() == toolset.names()
        assert sorted(KIND_OF[name] for name in toolset.names()) == sorted(
            kind for kind in OUTPUT_MEDIUM if models(provider, kind)
        )


@pytest.mark.parametrize(
    ("toolset", "tool", "needed"),
    [
        (XAI, "generate_image", ["prompt"]),
        (XAI, "edit_image", ["prompt", "images"]),
        (XAI, "generate_video", ["prompt"]),
        (MINIMAX, "generate_image", ["prompt"]),
        (MINIMAX, "generate_video", ["prompt"]),
        (MINIMAX, "generate_music", []),
        (MINIMAX, "write_lyrics", []),
        (STABILITY, "generate_image", ["prompt"]),
        (STABILITY, "edit_image", ["images"]),
        (STABILITY, "upscale_image", ["image"]),
        (STABILITY, "control_image", ["image"]),
        (STABILITY, "generate_music", []),
    ],
)
def test_required_parameters(toolset: Any, tool: str, needed: list[str]) -> None:
    assert required(toolset, tool) == needed


def test_model_enums_list_the_providers_current_models_for_the_kind() -> None:
    for provider, toolset in (("xai", XAI), ("minimax", MINIMAX), ("stability", STABILITY)):
        for tool in toolset:
            offered = tool.parameters["properties"].get("model")
            current = [
                m
                for m in models(provider, KIND_OF[tool.name])
                if not capability(provider, m).deprecated
            ]
            if offered is None:  # the route follows `op` or `mode`, or there is one endpoint
                assert (provider, tool.name) in {
                    ("stability", "edit_image"),
                    ("stability", "upscale_image"),
                    ("stability", "control_image"),
                    ("minimax", "write_lyrics"),
                }
                continue
            assert enum(offered) == current, (provider, tool.name)
    assert "music-2.6-free" not in enum(props(MINIMAX, "generate_music")["model"])


def test_stability_tools_take_no_xai_or_minimax_parameters_and_the_reverse() -> None:
    assert {"resolution", "quality", "n", "width", "subject"}.isdisjoint(
        props(STABILITY, "generate_image")
    )
    assert {"negative_prompt", "style", "seed", "image", "strength", "op"}.isdisjoint(
        props(XAI, "generate_image")
    )
    assert {"op", "mask", "search", "left", "light_direction", "seed"}.isdisjoint(
        props(XAI, "edit_image")
    )
    assert {"n", "aspect_ratio", "model"}.isdisjoint(props(STABILITY, "edit_image"))
    assert {"subject", "prompt_optimizer"}.isdisjoint(props(XAI, "generate_video"))
    assert {"aspect_ratio", "generate_audio"}.isdisjoint(props(MINIMAX, "generate_video"))
    assert {"lyrics", "instrumental", "cover_feature_id"}.isdisjoint(
        props(STABILITY, "generate_music")
    )
    assert {"steps", "mask_start", "strength", "duration"}.isdisjoint(
        props(MINIMAX, "generate_music")
    )


def test_enums_come_from_the_request_models() -> None:
    assert enum(props(STABILITY, "edit_image")["op"]) == [
        "erase",
        "inpaint",
        "outpaint",
        "search-replace",
        "recolor",
        "remove-background",
        "relight",
    ]
    assert enum(props(STABILITY, "upscale_image")["mode"]) == ["fast", "conservative", "creative"]
    assert enum(props(STABILITY, "control_image")["mode"]) == [
        "sketch",
        "structure",
        "style",
        "style-transfer",
    ]
    assert enum(props(MINIMAX, "write_lyrics")["mode"]) == ["write", "edit"]
    assert enum(props(STABILITY, "edit_image")["light_direction"]) == [
        "left",
        "right",
        "above",
        "below",
    ]


def test_every_parameter_is_a_field_of_its_request_and_is_described() -> None:
    for toolset in (XAI, MINIMAX, STABILITY, MEDIA):
        for tool in toolset:
            kind = KIND_OF[tool.name]
            fields = REQUESTS[kind].model_fields
            for name, schema in tool.parameters["properties"].items():
                assert name in fields, (toolset.name, tool.name, name)
                assert schema["description"], (toolset.name, tool.name, name)


def test_sources_say_they_take_asset_ids() -> None:
    for toolset, tool, name in (
        (MINIMAX, "generate_image", "subject"),
        (MINIMAX, "generate_video", "last_frame"),
        (STABILITY, "edit_image", "mask"),
        (STABILITY, "control_image", "style_image"),
        (STABILITY, "generate_music", "reference"),
        (MINIMAX, "write_lyrics", "track"),
    ):
        assert "asset id" in props(toolset, tool)[name]["description"], (tool, name)


def test_the_media_set_has_every_kind_once_with_a_provider_choice() -> None:
    assert MEDIA.name == "media"
    assert MEDIA.names() == [
        "generate_image",
        "edit_image",
        "generate_video",
        "upscale_image",
        "control_image",
        "generate_music",
        "write_lyrics",
    ]
    assert BUILTIN_TOOLSETS["media"]().names() == MEDIA.names()
    choices = {tool.name: tool.parameters["properties"]["provider"] for tool in MEDIA}
    assert {name: (enum(c), c["default"]) for name, c in choices.items()} == {
        "generate_image": (["xai", "minimax", "stability"], "xai"),
        "edit_image": (["xai", "stability"], "xai"),
        "generate_video": (["xai", "minimax"], "xai"),
        "upscale_image": (["stability"], "stability"),
        "control_image": (["stability"], "stability"),
        "generate_music": (["minimax", "stability"], "minimax"),
        "write_lyrics": (["minimax"], "minimax"),
    }
    # A merged tool holds every provider's parameters, each labelled with whose it is.
    image = props(MEDIA, "generate_image")
    assert {"resolution", "subject", "negative_prompt"} <= image.keys()
    assert image["resolution"]["description"].startswith("x.ai: ")
    assert image["subject"]["description"].startswith("MiniMax")
    assert image["negative_prompt"]["description"].startswith("Stability")
    assert "prompt" in required(MEDIA, "generate_image")
    # x.ai needs an edit prompt and Stability does not: the merged tool cannot require it.
    assert required(MEDIA, "edit_image") == ["images"]


async def test_a_parameter_for_another_provider_is_refused_before_any_request(
    workspace: Path, xai: EmulatorServer
) -> None:
    ctx = ToolContext(workspace)
    arguments = {"prompt": "a fox", "negative_prompt": "blur"}
    result = await MEDIA.call("generate_image", arguments, ctx)
    assert result.is_error
    assert result.content == (
        "negative_prompt is for Stability only, not x.ai; leave it unset or choose that provider"
    )
    assert xai.log.posts() == []


def test_the_xai_video_tool_offers_every_field_its_rules_accept() -> None:
    offered = set(props(XAI, "generate_video")) | {"kind", "provider"}
    assert offered == set(catalog.offers("video")["xai"].accepted())
    # Once left out of the tool though the rules take them:
    assert {"references", "keyframes", "reference_audios", "edit_video", "extend_video"} <= offered
    assert {"last_frame", "generate_audio", "aspect_ratio"} <= offered


@pytest.mark.parametrize("provider", ["xai", "minimax"])
def test_each_tool_offers_exactly_what_the_providers_rules_take(provider: str) -> None:
    """A tool parameter the rules refuse, or a field the rules take that no tool offers, fails."""
    rules = {"xai": xai_rules._XAI_FIELDS, "minimax": minimax_taken()}[provider]
    for tool in media_tools(provider):
        kind = KIND_OF[tool.name]
        if kind not in rules:
            continue
        offered = set(tool.parameters["properties"]) | {"kind", "provider"}
        if not catalog.offers(kind)[provider].names_model:
            offered.add("model")
        assert offered == set(rules[kind]), (provider, kind)


def minimax_taken() -> dict[str, frozenset[str]]:
    from dave.media.minimax import rules

    return {
        "image": rules._IMAGE_FIELDS,
        "video": rules._VIDEO_FIELDS,
        "music": rules._MUSIC_FIELDS,
    }


def test_stability_tools_offer_every_field_some_route_takes_and_nothing_else() -> None:
    kinds = {"image": "generate_image", "edit": "edit_image", "upscale": "upscale_image",
             "control": "control_image", "music": "generate_music"}  # fmt: skip
    for kind, tool in kinds.items():
        offered = set(props(STABILITY, tool))
        request = REQUESTS[kind]
        routes = [
            r for r in stability_routes.ROUTES.values() if r.model in models("stability", kind)
        ]
        taken = set().union(*(r.fields for r in routes)) - {"n"}  # n is always 1 there
        assert taken <= offered, (kind, taken - offered)
        # Beyond the route fields: the inputs, and what picks the route.
        assert offered - taken - {"op", "mode", "model"} <= set(request.SOURCES), kind
