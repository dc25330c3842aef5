"""The media tools against the x.ai emulator on loopback: each call goes through the Studio,
leaves an asset row and a real file, and answers the model with compact JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorServer
from dave.emulator.faults import FaultRule
from dave.store.jobs import JobState
from dave.tools import BUILTIN_TOOLSETS, ToolContext, ToolResult, media_tools

MEDIA = media_tools("xai")


@pytest.fixture
async def studio(xai: EmulatorServer) -> AsyncIterator[Studio]:
    async with Studio(poll_floor_s=0.1) as opened:
        yield opened


@pytest.fixture
def made(workspace: Path, studio: Studio) -> tuple[ToolContext, list[dict[str, Any]]]:
    """A context with the Studio and a list that collects every reported asset."""
    reported: list[dict[str, Any]] = []
    return ToolContext(workspace, studio=studio, on_asset=reported.append), reported


def test_the_xai_set_offers_image_edit_and_video() -> None:
    assert MEDIA.name == "media_xai"
    assert MEDIA.names() == ["generate_image", "edit_image", "generate_video"]
    assert BUILTIN_TOOLSETS["media_xai"]().names() == MEDIA.names()
    assert not any(t.needs_approval for t in MEDIA)
    prompt = MEDIA.get("generate_image").parameters["properties"]["prompt"]  # type: ignore[union-attr]
    assert prompt == {
        "type": "string",
        "description": "What the image should show. Plain text, not empty.",
    }


async def test_generate_image_keeps_an_asset_and_tells_the_model_its_id_and_path(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, dave_home: Path
) -> None:
    ctx, reported = made
    result = await MEDIA.call("generate_image", {"prompt": "a lighthouse at dusk"}, ctx)

    assert not result.is_error, result.content
    answer = json.loads(result.content)
    [asset] = answer["assets"]
    row = studio.assets.get(asset["id"])
    path = Path(asset["path"])
    assert path == dave_home / "media" / row.path
    assert path.is_file() and path.stat().st_size == row.bytes == asset["bytes"]
    with Image.open(path) as image:
        assert f"{image.width}x{image.height}" == asset["size"]
    assert answer == {
        "job_id": row.job_id,
        "state": "done",
        "provider": "xai",
        "model": "grok-imagine-image",
        "price": 0.02,
        "price_unit": "usd",
        "charged_usd": studio.jobs.get(row.job_id).cost_usd,
        "assets": [
            {
                "id": row.id,
                "provider": "xai",
                "kind": "image",
                "path": str(path),
                "mime": "image/jpeg",
                "bytes": row.bytes,
                "width": row.width,
                "height": row.height,
                "size": f"{row.width}x{row.height}",
            }
        ],
    }
    assert studio.jobs.get(row.job_id).state is JobState.DONE
    assert reported == result.assets
    assert reported[0]["id"] == row.id and reported[0]["prompt"] == "a lighthouse at dusk"


async def test_a_failing_asset_listener_does_not_turn_a_paid_result_into_an_error(
    workspace: Path, studio: Studio
) -> None:
    def broken(asset: dict[str, Any]) -> None:
        raise RuntimeError("display closed")

    ctx = ToolContext(workspace, studio=studio, on_asset=broken)
    result = await MEDIA.call("generate_image", {"prompt": "a boat"}, ctx)
    assert not result.is_error
    assert studio.assets.count() == 1


async def test_options_reach_the_wire(
    made: tuple[ToolContext, list[dict[str, Any]]], xai: EmulatorServer
) -> None:
    ctx, _ = made
    arguments = {"prompt": "two foxes", "n": 2, "aspect_ratio": "16:9"}
    result = await MEDIA.call("generate_image", arguments, ctx)

    assert len(json.loads(result.content)["assets"]) == 2
    [post] = xai.log.posts()
    assert post.path == "/v1/images/generations"
    assert post.json["n"] == 2 and post.json["aspect_ratio"] == "16:9"


async def test_a_request_the_studio_refuses_is_an_error_the_model_can_fix(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, xai: EmulatorServer
) -> None:
    ctx, reported = made
    result = await MEDIA.call("generate_image", {"prompt": "x", "aspect_ratio": "5:1"}, ctx)

    assert result.is_error
    assert result.content.startswith("aspect_ratio")
    assert "5:1" in result.content and "16:9" in result.content
    assert xai.log.posts() == []
    assert studio.jobs.list() == [] and reported == []


async def test_a_provider_failure_names_the_job(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, xai: EmulatorServer
) -> None:
    ctx, _ = made
    xai.set_faults([FaultRule(match="POST /v1/images/generations", kind="moderated")])
    result = await MEDIA.call("generate_image", {"prompt": "refused"}, ctx)

    [job] = studio.jobs.list()
    assert result.is_error
    assert "content policy" in result.content
    assert result.content.endswith(f"(job {job.id})")
    assert studio.assets.count() == 0


async def test_edit_image_takes_an_asset_id_from_an_earlier_result(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, xai: EmulatorServer
) -> None:
    ctx, reported = made
    first = json.loads((await MEDIA.call("generate_image", {"prompt": "a cat"}, ctx)).content)
    source_id = first["assets"][0]["id"]

    result = await MEDIA.call("edit_image", {"prompt": "give it a hat", "images": [source_id]}, ctx)

    assert not result.is_error, result.content
    edited = json.loads(result.content)["assets"][0]
    assert studio.assets.get(edited["id"]).kind == "image"
    assert Path(edited["path"]).is_file()
    assert [post.path for post in xai.log.posts()] == [
        "/v1/images/generations",
        "/v1/images/edits",
    ]
    assert [asset["id"] for asset in reported] == [source_id, edited["id"]]


async def test_edit_image_reads_sources_from_the_workspace_only(
    made: tuple[ToolContext, list[dict[str, Any]]],
    workspace: Path,
    outside: Path,
    xai: EmulatorServer,
) -> None:
    ctx, _ = made
    Image.new("RGB", (64, 48), (10, 120, 200)).save(workspace / "photo.png")
    Image.new("RGB", (64, 48), (200, 0, 0)).save(outside / "private.png")

    inside = await MEDIA.call("edit_image", {"prompt": "brighter", "images": ["photo.png"]}, ctx)
    assert not inside.is_error, inside.content

    for source in (str(outside / "private.png"), "../outside/private.png"):
        refused = await MEDIA.call("edit_image", {"prompt": "x", "images": [source]}, ctx)
        assert refused.is_error
        assert "outside the workspace" in refused.content
    assert [post.path for post in xai.log.posts()] == ["/v1/images/edits"]


async def test_an_unknown_asset_id_is_an_error(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio
) -> None:
    ctx, _ = made
    result = await MEDIA.call("edit_image", {"prompt": "x", "images": ["a_01NOSUCHASSET"]}, ctx)
    assert result == ToolResult("no asset 'a_01NOSUCHASSET' in the library", is_error=True)


@pytest.fixture
def quick_polls(studio: Studio) -> None:
    """Journal history that says video jobs finish at once, so polling runs at its floor."""
    for _ in range(3):
        job = studio.jobs.create("xai", "video", "grok-imagine-video", {"kind": "video"})
        for state in (JobState.SUBMITTING, JobState.SUBMITTED, JobState.DONE):
            studio.jobs.transition(job.id, state)


async def test_generate_video_waits_for_the_video_and_keeps_it(
    made: tuple[ToolContext, list[dict[str, Any]]], studio: Studio, quick_polls: None
) -> None:
    ctx, reported = made
    result = await MEDIA.call("generate_video", {"prompt": "waves", "duration": 1}, ctx)

    assert not result.is_error, result.content
    answer = json.loads(result.content)
    [asset] = answer["assets"]
    assert answer["state"] == "done"
    assert asset["kind"] == "video" and asset["mime"] == "video/mp4"
    assert asset["duration_s"] == pytest.approx(1, abs=0.5)
    assert Path(asset["path"]).is_file()
    assert studio.assets.get(asset["id"]).job_id == answer["job_id"]
    assert [a["id"] for a in reported] == [asset["id"]]


async def test_the_studio_is_opened_lazily_on_first_use(
    workspace: Path, xai: EmulatorServer
) -> None:
    opened: list[Studio] = []

    async def open_studio() -> Studio:
        studio = await Studio(poll_floor_s=0.1).__aenter__()
        opened.append(studio)
        return studio

    ctx = ToolContext(workspace, open_studio=open_studio)
    try:
        for prompt in ("one", "two"):
            result = await MEDIA.call("generate_image", {"prompt": prompt}, ctx)
            assert not result.is_error, result.content
        assert len(opened) == 1 and ctx.studio is opened[0]
        assert opened[0].assets.count() == 2
    finally:
        for studio in opened:
            await studio.aclose()


async def test_without_a_studio_the_media_tools_say_so(workspace: Path) -> None:
    result = await MEDIA.call("generate_image", {"prompt": "x"}, ToolContext(workspace))
    assert result == ToolResult(
        "media tools need a Studio, and this run was given none", is_error=True
    )
