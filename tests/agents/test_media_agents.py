"""Agents making MiniMax and Stability media end to end: a scripted chat model calls the tools,
the Studio runs them against the loopback emulator, and the session, events and library agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

from dave.agents.events import AssetCreated, ToolCallFinished
from dave.agents.manager import AgentManager
from dave.emulator import EmulatorServer
from dave.store import Store

from .conftest import Script, chat_requests

MEDIA_TOOLS = [
    "generate_image",
    "edit_image",
    "generate_video",
    "upscale_image",
    "control_image",
    "generate_music",
    "write_lyrics",
]


def call(tool_name: str, call_id: str, /, **arguments: Any) -> dict[str, Any]:
    return {"name": tool_name, "id": call_id, "arguments": arguments}


async def test_the_stability_agent_removes_a_background_from_a_workspace_image(
    script: Script,
    workspace: Path,
    dave_home: Path,
    stability: EmulatorServer,
) -> None:
    Image.new("RGB", (256, 192), (30, 140, 90)).save(workspace / "photo.png")
    script(
        [
            {
                "tool_calls": [
                    call("edit_image", "e1", images=["photo.png"], op="remove-background")
                ],
                "expect": {
                    "system_contains": "Stability AI media agent",
                    "tools": ["generate_image", "edit_image", "upscale_image", "control_image"],
                },
            },
            {"content": "Cut out.", "expect": {"last_role": "tool", "contains": '"a_'}},
        ]
    )
    async with AgentManager(workspace=workspace) as manager:
        run = manager.run("stability", "cut the subject out of photo.png")
        events = [event async for event in run]

    assert events[-1].stop_reason == "stop" and events[-1].text == "Cut out."
    [asset] = [e.asset for e in events if isinstance(e, AssetCreated)]
    [finished] = [e for e in events if isinstance(e, ToolCallFinished)]
    assert not finished.is_error
    with Image.open(asset["path"]) as image:
        assert image.mode == "RGBA"  # the background is gone: transparency
    with Store.open(dave_home) as store:
        job = store.jobs.get(asset["job_id"])
        assert (job.provider, job.model, job.state.value) == (
            "stability",
            "remove-background",
            "done",
        )
    assert len(stability.log.posts("*/v2beta/stable-image/edit/remove-background")) == 1
    offered = [tool["function"]["name"] for tool in chat_requests(stability)[0].json["tools"]]
    assert offered == [
        "generate_image",
        "edit_image",
        "upscale_image",
        "control_image",
        "generate_music",
    ]


async def test_daisy_writes_lyrics_and_makes_the_song_with_minimax(
    script: Script,
    workspace: Path,
    dave_home: Path,
    minimax: EmulatorServer,
) -> None:
    lyrics = "[Verse]\nKeep the light burning\n[Chorus]\nOver the sea"
    script(
        [
            {
                "tool_calls": [call("write_lyrics", "w1", prompt="a lighthouse keeper's song")],
                "expect": {"system_contains": "Daisy", "tools": [*MEDIA_TOOLS, "delegate"]},
            },
            {
                "tool_calls": [
                    call("generate_music", "m1", provider="minimax", prompt="folk", lyrics=lyrics)
                ],
                "expect": {"tool_call_ids": ["w1"], "contains": "style_tags"},
            },
            {"content": "Your song is ready.", "expect": {"tool_call_ids": ["m1"]}},
        ]
    )
    async with AgentManager(workspace=workspace) as manager:
        run = manager.run("daisy", "write and sing a song about a lighthouse keeper")
        events = [event async for event in run]
        messages = manager.sessions.messages(run.session_id)

    assert events[-1].text == "Your song is ready."
    text, song = (e.asset for e in events if isinstance(e, AssetCreated))
    assert (text["kind"], song["kind"]) == ("text", "audio")
    written = json.loads(next(m.content for m in messages if m.name == "write_lyrics"))
    assert written["text"] == Path(text["path"]).read_text(encoding="utf-8")
    with Store.open(dave_home) as store:
        assert store.assets.get(song["id"]).duration_s > 0
        assert store.jobs.get(song["job_id"]).provider == "minimax"
    [post] = minimax.log.posts("*/v1/music_generation")
    assert post.json["lyrics"] == lyrics
    assert len(minimax.log.posts("*/v1/lyrics_generation")) == 1


async def test_offline_the_rule_based_model_makes_a_song_without_any_key(
    workspace: Path, dave_home: Path
) -> None:
    async with AgentManager(offline=True, workspace=workspace) as manager:
        events = [event async for event in manager.run(None, "make a song about the sea")]

    [asset] = [e.asset for e in events if isinstance(e, AssetCreated)]
    assert asset["kind"] == "audio" and asset["provider"] == "minimax"
    assert Path(asset["path"]).is_file() and asset["duration_s"] > 0
    assert asset["id"] in events[-1].text
