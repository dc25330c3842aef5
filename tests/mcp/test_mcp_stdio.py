"""`dave mcp` over stdio, as an MCP client runs it: the installed command spawned by the SDK's
own client, talking to the loopback emulator."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from PIL import Image

from dave.emulator import EmulatorServer
from dave.store import Store
from dave.tools.media import KINDS, all_media_tools
from dave.tools.publish import publish_tools
from tests.conftest import run_dave
from tests.mcp.conftest import stdio_session, text_of

# The agents' tests pin these names; MCP offers the same, in the same order.
MEDIA_TOOLS = [kind.tool for kind in KINDS]
VIDEO_POST = "/v1/videos/generations"
IMAGE_POST = "/v1/images/generations"


def journal(home: Path) -> Store:
    return Store.open(home)


async def test_the_tools_are_the_agents_media_tools_with_their_own_schemas(
    providers: EmulatorServer,
) -> None:
    async with stdio_session() as session:
        listed = (await session.list_tools()).tools

    by_name = {tool.name: tool for tool in listed}
    assert list(by_name) == [
        *MEDIA_TOOLS,
        "job_status",
        "job_wait",
        "search_assets",
        "publish_asset",
    ]
    agents = all_media_tools()
    for name in MEDIA_TOOLS:
        mine = agents.get(name)
        assert mine is not None
        # One registry: the very schema and description the agents' `media` set offers.
        assert by_name[name].input_schema == mine.parameters
        assert by_name[name].description == mine.description
        assert by_name[name].input_schema["properties"]["provider"]["enum"]
        output = by_name[name].output_schema
        assert output is not None and {"job", "done", "assets"} <= set(output["properties"])
        assert by_name[name].annotations.open_world_hint is True
    publish = publish_tools().get("publish_asset")
    assert publish is not None
    assert by_name["publish_asset"].input_schema == publish.parameters
    assert by_name["job_wait"].input_schema["required"] == ["job_id"]
    assert by_name["job_status"].annotations.read_only_hint is True
    assert "url" in by_name["publish_asset"].output_schema["properties"]


async def test_an_image_comes_back_as_structure_a_resource_link_and_a_small_thumbnail(
    providers: EmulatorServer, dave_home: Path
) -> None:
    async with stdio_session() as session:
        result = await session.call_tool("generate_image", {"prompt": "a red fox in snow"})
        assert result.is_error is False
        data = result.structured_content
        asset = data["assets"][0]
        read = await session.read_resource(asset["uri"])

    assert data["job"]["state"] == "done" and data["done"] is True
    assert data["job"]["provider"] == "xai" and data["job"]["price"] == pytest.approx(0.02)
    on_disk = Path(asset["path"]).read_bytes()
    assert hashlib.sha256(on_disk).hexdigest() == asset["sha256"]
    assert asset["uri"] == f"dave://assets/{asset['id']}"
    kinds = [block.type for block in result.content]
    assert kinds == ["text", "resource_link", "image"]
    assert data["job"]["id"] in result.content[0].text
    assert "\n" not in result.content[0].text
    link = result.content[1]
    assert str(link.uri) == asset["uri"] and link.mime_type == asset["mime"]
    thumb = base64_bytes(result.content[2].data)
    assert len(thumb) <= 100_000
    with Image.open(io.BytesIO(thumb)) as picture:
        assert max(picture.size) <= 256
    blob = read.contents[0]
    assert blob.mime_type == asset["mime"]
    assert base64_bytes(blob.blob) == on_disk
    assert len(providers.log.posts(IMAGE_POST)) == 1
    with journal(dave_home) as store:
        assert [a.id for a in store.assets.list()] == [asset["id"]]


def base64_bytes(text: str) -> bytes:
    import base64

    return base64.b64decode(text)


async def test_a_video_reports_progress_that_rises_and_says_what_happens(
    providers: EmulatorServer,
) -> None:
    providers.config.video_ready_s = 2.5
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, total, message))

    async with stdio_session() as session:
        result = await session.call_tool(
            "generate_video",
            {"prompt": "a comet over the sea", "duration": 2},
            progress_callback=progress,
        )

    assert result.is_error is False, text_of(result)
    data = result.structured_content
    assert data["done"] is True and data["assets"][0]["kind"] == "video"
    assert len(seen) >= 2
    figures = [value for value, _, _ in seen]
    assert figures == sorted(figures) and len(set(figures)) == len(figures)
    assert all(total == 100 for _, total, _ in seen)
    job_id = data["job"]["id"]
    messages = [message or "" for _, _, message in seen]
    assert all(job_id in message for message in messages)
    assert any("accepted by x.ai" in message for message in messages)
    assert any("% done" in message or "still working" in message for message in messages)
    # The video is a link, never inlined.
    assert [block.type for block in result.content] == ["text", "resource_link"]
    assert len(providers.log.posts(VIDEO_POST)) == 1


async def test_a_job_that_outlives_wait_s_is_finished_by_job_wait(
    providers: EmulatorServer, dave_home: Path
) -> None:
    providers.config.video_ready_s = 4.0
    later: list[str | None] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        later.append(message)

    async with stdio_session("--wait-s", "1") as session:
        first = await session.call_tool("generate_video", {"prompt": "a slow sunrise"})
        data = first.structured_content
        job_id = data["job"]["id"]
        with journal(dave_home) as store:
            assert store.jobs.get(job_id).state.value == "submitted"
        waited = await session.call_tool(
            "job_wait", {"job_id": job_id, "wait_s": 30}, progress_callback=progress
        )

    assert first.is_error is False
    assert data["done"] is False and data["job"]["state"] == "submitted"
    assert data["assets"] == [] and "job_wait" in data["next"]
    assert job_id in text_of(first) and "job_wait" in text_of(first)
    assert waited.is_error is False, text_of(waited)
    finished = waited.structured_content
    assert finished["done"] is True and finished["job"]["id"] == job_id
    assert Path(finished["assets"][0]["path"]).is_file()
    assert later, "job_wait reports progress too"
    assert len(providers.log.posts(VIDEO_POST)) == 1


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"prompt": "x", "n": 99}, "n must be between 1 and 10"),
        ({"prompt": "x", "colour": "red"}, "colour"),
        ({"prompt": "x", "provider": "acme"}, "provider"),
        ({}, "prompt"),
        ({"prompt": "x", "aspect_ratio": "7:5"}, "aspect_ratio"),
        ({"prompt": "x", "images": ["a_doesnotexist0000"]}, "a_doesnotexist0000"),
    ],
)
async def test_bad_arguments_are_a_tool_error_and_nothing_is_journaled_or_sent(
    providers: EmulatorServer, dave_home: Path, arguments: dict[str, Any], said: str
) -> None:
    tool = "edit_image" if "images" in arguments else "generate_image"
    async with stdio_session() as session:
        result = await session.call_tool(tool, arguments)

    assert result.is_error is True
    line = text_of(result)
    assert said in line and "\n" not in line and "Traceback" not in line
    assert providers.log.posts() == []
    with journal(dave_home) as store:
        assert store.jobs.count() == 0


async def test_a_failed_job_is_a_tool_error_that_names_the_job(
    providers: EmulatorServer,
) -> None:
    providers.config.video_ready_s = 0.5
    providers.set_faults([{"match": f"POST {VIDEO_POST}", "kind": "job_failed"}])
    async with stdio_session() as session:
        result = await session.call_tool("generate_video", {"prompt": "a storm"})

    assert result.is_error is True
    job = result.structured_content["job"]
    assert job["state"] == "failed"
    assert f"job {job['id']}" in text_of(result)


async def test_a_cancelled_call_leaves_its_job_journaled_and_resumable(
    providers: EmulatorServer, dave_home: Path
) -> None:
    providers.config.video_ready_s = 3.0
    accepted = anyio.Event()

    async def progress(value: float, total: float | None, message: str | None) -> None:
        if "accepted" in (message or ""):
            accepted.set()

    async with stdio_session() as session, anyio.create_task_group() as group:

        async def call() -> None:
            await session.call_tool(
                "generate_video", {"prompt": "a lantern drifts"}, progress_callback=progress
            )

        group.start_soon(call)
        with anyio.fail_after(30):
            await accepted.wait()
        group.cancel_scope.cancel()  # the client gives up: notifications/cancelled
    # The server has exited with the job still pending at the provider.
    with journal(dave_home) as store:
        (job,) = store.jobs.list()
        assert job.state.value == "submitted"

    resumed = run_dave("jobs", "resume", "--json")

    assert resumed.returncode == 0, resumed.stderr
    with journal(dave_home) as store:
        assert store.jobs.get(job.id).state.value == "done"
        (asset,) = store.assets.for_job(job.id)
        assert store.media.absolute(asset.path).is_file()
    assert len(providers.log.posts(VIDEO_POST)) == 1


async def test_job_status_search_assets_and_the_recent_resource_read_the_library(
    providers: EmulatorServer,
) -> None:
    async with stdio_session() as session:
        made = await session.call_tool("generate_image", {"prompt": "a lighthouse at dusk", "n": 2})
        job_id = made.structured_content["job"]["id"]
        status = await session.call_tool("job_status", {"job_id": job_id})
        found = await session.call_tool("search_assets", {"query": "lighthouse"})
        missed = await session.call_tool("search_assets", {"query": "submarine"})
        recent = await session.read_resource("dave://recent/image")
        unknown = await session.call_tool("job_status", {"job_id": "j_nosuchjob0000"})
        templates = (await session.list_resource_templates()).resource_templates
        listed = (await session.list_resources()).resources

    made_ids = sorted(a["id"] for a in made.structured_content["assets"])
    assert status.structured_content["done"] is True
    assert sorted(a["id"] for a in status.structured_content["assets"]) == made_ids
    assert sorted(a["id"] for a in found.structured_content["assets"]) == made_ids
    assert missed.structured_content["assets"] == []
    assert sorted(a["id"] for a in json.loads(recent.contents[0].text)["assets"]) == made_ids
    assert unknown.is_error is True and "j_nosuchjob0000" in text_of(unknown)
    assert {t.uri_template for t in templates} == {
        "dave://assets/{asset_id}",
        "dave://recent/{kind}",
    }
    assert sorted(r.name for r in listed) == made_ids
    assert len(providers.log.posts(IMAGE_POST)) == 1


async def test_publish_asset_puts_a_file_at_a_lasting_link(
    providers: EmulatorServer, tmp_path: Path
) -> None:
    public = tmp_path / "public"
    async with stdio_session(env={"DAVE_PUBLISH_DIR": str(public)}) as session:
        made = await session.call_tool("generate_image", {"prompt": "a paper boat"})
        asset = made.structured_content["assets"][0]
        published = await session.call_tool("publish_asset", {"asset_id": asset["id"]})
        again = await session.call_tool(
            "job_status", {"job_id": made.structured_content["job"]["id"]}
        )

    assert published.is_error is False, text_of(published)
    url = published.structured_content["url"]
    assert url.startswith("file://")
    copied = Path(url.removeprefix("file://"))
    assert copied.is_relative_to(public)
    assert copied.read_bytes() == Path(asset["path"]).read_bytes()
    links = again.structured_content["assets"][0]["published"]
    assert [link["url"] for link in links] == [url]


async def test_reading_unknown_or_oversized_resources_gives_a_clear_error(
    providers: EmulatorServer, dave_home: Path
) -> None:
    from dave.mcp.server import MAX_RESOURCE_BYTES

    data = b"\0" * (MAX_RESOURCE_BYTES + 1)
    with journal(dave_home) as store:
        path = store.media.put_bytes(data, ".mp4")
        big = store.assets.add(
            kind="video",
            path=store.media.relative(path),
            sha256=hashlib.sha256(data).hexdigest(),
            bytes=len(data),
            mime="video/mp4",
        )
    async with stdio_session() as session:
        with pytest.raises(MCPError, match=r"over the 10 MiB .* read it from /") as refused:
            await session.read_resource(f"dave://assets/{big.id}")
        with pytest.raises(MCPError, match="no asset 'a_nosuchasset00'"):
            await session.read_resource("dave://assets/a_nosuchasset00")
        with pytest.raises(MCPError, match="no resource file:///etc/passwd"):
            await session.read_resource("file:///etc/passwd")
        with pytest.raises(MCPError, match="no kind 'secrets'"):
            await session.read_resource("dave://recent/secrets")
        still = await session.call_tool("search_assets", {})

    assert str(path) in str(refused.value)
    assert [a["id"] for a in still.structured_content["assets"]] == [big.id]


async def test_a_job_wait_after_a_cancelled_call_joins_the_job_still_running(
    providers: EmulatorServer,
) -> None:
    providers.config.video_ready_s = 2.0
    accepted = anyio.Event()
    heard: list[str] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        heard.append(message or "")
        if "accepted" in (message or ""):
            accepted.set()

    async with stdio_session() as session:
        async with anyio.create_task_group() as group:

            async def call() -> None:
                await session.call_tool(
                    "generate_video", {"prompt": "a kite rises"}, progress_callback=progress
                )

            group.start_soon(call)
            with anyio.fail_after(30):
                await accepted.wait()
            group.cancel_scope.cancel()
        job_id = heard[0].split(":")[0]
        waited = await session.call_tool("job_wait", {"job_id": job_id})

    assert waited.is_error is False, text_of(waited)
    assert waited.structured_content["done"] is True
    assert waited.structured_content["job"]["id"] == job_id
    assert len(providers.log.posts(VIDEO_POST)) == 1


async def test_sources_come_from_the_workspace_or_the_library_and_nowhere_else(
    providers: EmulatorServer, tmp_path: Path
) -> None:
    workspace, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    workspace.mkdir()
    elsewhere.mkdir()
    for folder in (workspace, elsewhere):
        Image.new("RGB", (64, 48), "teal").save(folder / "cat.png")
    async with stdio_session("--workspace", str(workspace)) as session:
        outside = await session.call_tool(
            "edit_image", {"prompt": "add a hat", "images": [str(elsewhere / "cat.png")]}
        )
        escape = await session.call_tool(
            "edit_image", {"prompt": "add a hat", "images": ["../elsewhere/cat.png"]}
        )
        inside = await session.call_tool(
            "edit_image", {"prompt": "add a hat", "images": ["cat.png"]}
        )
        made = inside.structured_content["assets"][0]["id"]
        again = await session.call_tool("edit_image", {"prompt": "a bigger hat", "images": [made]})

    assert outside.is_error is True and "outside the workspace" in text_of(outside)
    assert escape.is_error is True
    assert inside.is_error is False, text_of(inside)
    assert again.is_error is False, text_of(again)
    assert len(providers.log.posts("/v1/images/edits")) == 2


async def test_music_and_lyrics_come_back_as_links_and_text_never_inlined_audio(
    providers: EmulatorServer,
) -> None:
    async with stdio_session() as session:
        song = await session.call_tool(
            "generate_music",
            {"provider": "minimax", "prompt": "calm piano", "lyrics": "[verse]\nla la la"},
        )
        words = await session.call_tool("write_lyrics", {"prompt": "a song about rain"})

    assert song.is_error is False, text_of(song)
    assert song.structured_content["assets"][0]["kind"] == "audio"
    assert [block.type for block in song.content] == ["text", "resource_link"]
    assert words.is_error is False, text_of(words)
    text = words.structured_content["text"]
    kept = Path(words.structured_content["assets"][0]["path"]).read_text(encoding="utf-8")
    assert text and text == kept
