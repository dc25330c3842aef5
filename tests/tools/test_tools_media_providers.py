"""The MiniMax and Stability tools, and the merged `media` set, called through the real Studio
against the loopback emulator: each call leaves asset rows and real files, and sends what the
tool's arguments say."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorServer
from dave.emulator.makers import make_audio
from dave.store.jobs import JobState
from dave.tools import ToolContext, ToolResult, media_tools
from dave.tools.media import all_media_tools

MINIMAX = media_tools("minimax")
STABILITY = media_tools("stability")
MEDIA = all_media_tools()


@pytest.fixture
def server(minimax: EmulatorServer, stability: EmulatorServer) -> EmulatorServer:
    """The loopback emulator with dave's MiniMax and Stability clients pointed at it."""
    return minimax


@pytest.fixture
async def studio(server: EmulatorServer) -> AsyncIterator[Studio]:
    async with Studio(poll_floor_s=0.1) as opened:
        yield opened


@pytest.fixture
def quick_polls(studio: Studio) -> None:
    """Journal history that says video jobs finish at once, so polling runs at its floor."""
    for _ in range(3):
        job = studio.jobs.create("minimax", "video", "MiniMax-Hailuo-02", {"kind": "video"})
        for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
            studio.jobs.transition(job.id, state)


@pytest.fixture
def made(workspace: Path, studio: Studio) -> tuple[ToolContext, list[dict[str, Any]]]:
    """A context with the Studio and a list that collects every reported asset."""
    reported: list[dict[str, Any]] = []
    return ToolContext(workspace, studio=studio, on_asset=reported.append), reported


def answer_of(result: ToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    return json.loads(result.content)


def picture(folder: Path, name: str, size: tuple[int, int] = (512, 512)) -> str:
    Image.new("RGB", size, (40, 90, 160)).save(folder / name)
    return name


def check_kept(studio: Studio, asset: dict[str, Any], kind: str) -> None:
    """The asset the model was told of is a row in the library and a real file."""
    row = studio.assets.get(asset["id"])
    assert row.kind == kind == asset["kind"]
    path = Path(asset["path"])
    assert path.is_file() and path.stat().st_size == row.bytes == asset["bytes"]
    assert studio.jobs.get(row.job_id).state is JobState.DONE


# --- MiniMax ----------------------------------------------------------------------------------


async def test_minimax_images_reach_the_wire_and_the_library(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, reported = made
    arguments = {"prompt": "a lighthouse", "n": 2, "aspect_ratio": "16:9", "seed": 7}
    answer = answer_of(await MINIMAX.call("generate_image", arguments, ctx))

    assert (answer["provider"], answer["model"]) == ("minimax", "image-01")
    assert len(answer["assets"]) == 2
    for asset in answer["assets"]:
        check_kept(studio, asset, "image")
    [post] = server.log.posts("*/v1/image_generation")
    assert post.json["model"] == "image-01"
    assert (post.json["n"], post.json["aspect_ratio"], post.json["seed"]) == (2, "16:9", 7)
    assert [a["id"] for a in reported] == [a["id"] for a in answer["assets"]]


async def test_minimax_subject_image_takes_an_asset_id(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    face = picture(ctx.workspace, "face.png")
    first = answer_of(await MINIMAX.call("generate_image", {"prompt": "a portrait"}, ctx))
    arguments = {"prompt": "the same person at sea", "subject": first["assets"][0]["id"]}
    answer = answer_of(await MINIMAX.call("generate_image", arguments, ctx))
    check_kept(studio, answer["assets"][0], "image")
    again = answer_of(await MINIMAX.call("generate_image", {"prompt": "x", "subject": face}, ctx))
    check_kept(studio, again["assets"][0], "image")

    posts = server.log.posts("*/v1/image_generation")
    assert "subject_reference" not in posts[0].json
    for post in posts[1:]:
        [reference] = post.json["subject_reference"]
        assert reference["image_file"].startswith("data:image/")


async def test_minimax_video_from_a_first_and_last_frame(
    made: tuple[ToolContext, list[dict[str, Any]]],
    studio: Studio,
    server: EmulatorServer,
    quick_polls: None,
) -> None:
    ctx, reported = made
    arguments = {
        "prompt": "the sun sets [Static shot]",
        "image": picture(ctx.workspace, "first.png"),
        "last_frame": picture(ctx.workspace, "last.png"),
        "model": "MiniMax-Hailuo-02",
    }
    answer = answer_of(await MINIMAX.call("generate_video", arguments, ctx))

    [asset] = answer["assets"]
    check_kept(studio, asset, "video")
    assert asset["mime"] == "video/mp4" and asset["duration_s"] > 0
    [post] = server.log.posts("*/v1/video_generation")
    assert post.json["model"] == "MiniMax-Hailuo-02"
    assert post.json["first_frame_image"].startswith("data:image/")
    assert post.json["last_frame_image"].startswith("data:image/")
    assert [a["id"] for a in reported] == [asset["id"]]


async def test_minimax_song_with_lyrics_is_an_audio_asset(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    lyrics = "[Verse]\nThe tide comes in\n[Chorus]\nAnd out again"
    arguments = {"prompt": "sea shanty, accordion", "lyrics": lyrics}
    answer = answer_of(await MINIMAX.call("generate_music", arguments, ctx))

    assert (answer["provider"], answer["model"]) == ("minimax", "music-2.6")
    [asset] = answer["assets"]
    check_kept(studio, asset, "audio")
    assert asset["duration_s"] > 0 and "size" not in asset
    [post] = server.log.posts("*/v1/music_generation")
    assert (post.json["prompt"], post.json["lyrics"]) == ("sea shanty, accordion", lyrics)


async def test_write_lyrics_answers_with_the_text_title_and_style_tags(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    arguments = {"prompt": "a song about a lighthouse keeper", "title": "The Keeper"}
    answer = answer_of(await MINIMAX.call("write_lyrics", arguments, ctx))

    [asset] = answer["assets"]
    check_kept(studio, asset, "text")
    assert answer["text"] == Path(asset["path"]).read_text(encoding="utf-8")
    assert answer["text"].strip()
    assert answer["details"]["title"] == "The Keeper"
    assert answer["details"]["style_tags"]
    [post] = server.log.posts("*/v1/lyrics_generation")
    assert post.json["prompt"] == "a song about a lighthouse keeper"
    assert post.json["title"] == "The Keeper"


async def test_a_tracks_lyrics_give_a_cover_feature_id_for_generate_music(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    (ctx.workspace / "song.mp3").write_bytes(make_audio("an old song", 8.0))
    read = answer_of(await MINIMAX.call("write_lyrics", {"track": "song.mp3"}, ctx))
    feature = read["details"]["cover_feature_id"]
    assert read["text"].strip()

    arguments = {"prompt": "slow piano cover", "lyrics": read["text"], "cover_feature_id": feature}
    answer = answer_of(await MINIMAX.call("generate_music", arguments, ctx))
    check_kept(studio, answer["assets"][0], "audio")
    assert answer["model"] == "music-cover"
    [post] = server.log.posts("*/v1/music_generation")
    assert post.json["cover_feature_id"] == feature


# --- Stability --------------------------------------------------------------------------------


async def test_stability_generate_image_sends_its_own_fields(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    arguments = {"prompt": "a fox", "negative_prompt": "blur", "aspect_ratio": "3:2"}
    answer = answer_of(await STABILITY.call("generate_image", arguments, ctx))

    assert (answer["provider"], answer["model"]) == ("stability", "stable-image-core")
    [asset] = answer["assets"]
    check_kept(studio, asset, "image")
    width, height = (int(side) for side in asset["size"].split("x"))
    assert width > height
    [post] = server.log.posts("*/v2beta/stable-image/generate/core")
    assert post.body_bytes > 0


@pytest.mark.parametrize(
    ("arguments", "route"),
    [
        ({"op": "remove-background"}, "remove-background"),
        ({"op": "outpaint", "left": 64, "prompt": "more sea"}, "outpaint"),
        ({"op": "search-replace", "search": "the boat", "prompt": "a whale"}, "search-and-replace"),
        ({"op": "erase"}, "erase"),
    ],
)
async def test_stability_edit_ops_take_an_asset_id_and_pick_the_route(
    made: tuple[ToolContext, list[dict[str, Any]]],
    studio: Studio,
    server: EmulatorServer,
    arguments: dict[str, Any],
    route: str,
) -> None:
    ctx, _ = made
    first = answer_of(await STABILITY.call("generate_image", {"prompt": "a boat"}, ctx))
    source = first["assets"][0]["id"]
    answer = answer_of(await STABILITY.call("edit_image", {"images": [source], **arguments}, ctx))

    assert answer["model"] == route
    check_kept(studio, answer["assets"][0], "image")
    assert len(server.log.posts(f"*/v2beta/stable-image/edit/{route}")) == 1


async def test_stability_upscale_makes_a_larger_image(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    small = picture(ctx.workspace, "small.png", (128, 96))
    answer = answer_of(await STABILITY.call("upscale_image", {"image": small}, ctx))

    assert answer["model"] == "upscale-fast"
    [asset] = answer["assets"]
    check_kept(studio, asset, "image")
    assert asset["width"] > 128 and asset["height"] > 96
    assert len(server.log.posts("*/v2beta/stable-image/upscale/fast")) == 1


async def test_stability_control_from_a_sketch(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    sketch = picture(ctx.workspace, "sketch.png", (256, 256))
    arguments = {"image": sketch, "prompt": "a castle", "control_strength": 0.6}
    answer = answer_of(await STABILITY.call("control_image", arguments, ctx))

    assert answer["model"] == "control-sketch"
    check_kept(studio, answer["assets"][0], "image")
    assert len(server.log.posts("*/v2beta/stable-image/control/sketch")) == 1


async def test_stable_audio_is_an_audio_asset_of_the_asked_length(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    arguments = {"prompt": "rain on a tin roof", "duration": 5}
    answer = answer_of(await STABILITY.call("generate_music", arguments, ctx))

    assert (answer["provider"], answer["model"]) == ("stability", "stable-audio-2.5")
    [asset] = answer["assets"]
    check_kept(studio, asset, "audio")
    assert asset["duration_s"] == pytest.approx(5, abs=0.5)
    assert len(server.log.posts("*/v2beta/audio/stable-audio-2/text-to-audio")) == 1


async def test_a_bad_stability_value_is_refused_before_any_request(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, reported = made
    sources = [picture(ctx.workspace, "a.png"), picture(ctx.workspace, "b.png")]
    arguments = {"images": sources, "op": "remove-background"}
    result = await STABILITY.call("edit_image", arguments, ctx)
    assert result.is_error and "images" in result.content, result.content
    assert server.log.posts() == [] and studio.jobs.list() == [] and reported == []


# --- the merged `media` set ---------------------------------------------------------------------


async def test_the_media_set_runs_each_tool_with_the_chosen_provider(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    image = answer_of(await MEDIA.call("generate_image", {"prompt": "a kite"}, ctx))
    assert image["provider"] == "xai"
    stable = answer_of(
        await MEDIA.call("generate_image", {"prompt": "a kite", "provider": "stability"}, ctx)
    )
    assert stable["provider"] == "stability"
    cut = answer_of(
        await MEDIA.call(
            "edit_image",
            {
                "provider": "stability",
                "op": "remove-background",
                "images": [image["assets"][0]["id"]],
            },
            ctx,
        )
    )
    assert cut["model"] == "remove-background"
    song = answer_of(
        await MEDIA.call("generate_music", {"prompt": "calm", "instrumental": True}, ctx)
    )
    assert song["provider"] == "minimax"
    big = answer_of(await MEDIA.call("upscale_image", {"image": cut["assets"][0]["id"]}, ctx))
    assert big["provider"] == "stability"
    for answer in (image, stable, cut, song, big):
        check_kept(studio, answer["assets"][0], answer["assets"][0]["kind"])
    assert [post.path.rsplit("/", 2)[-2:] for post in server.log.posts()] == [
        ["images", "generations"],
        ["generate", "core"],
        ["edit", "remove-background"],
        ["v1", "music_generation"],
        ["upscale", "fast"],
    ]


async def test_the_media_set_refuses_a_parameter_of_another_provider(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, server: EmulatorServer
) -> None:
    ctx, _ = made
    arguments = {"provider": "minimax", "prompt": "calm", "steps": 8}
    result = await MEDIA.call("generate_music", arguments, ctx)
    assert result == ToolResult(
        "steps is for Stability only, not MiniMax; leave it unset or choose that provider",
        is_error=True,
    )
    assert server.log.posts() == [] and studio.jobs.list() == []
