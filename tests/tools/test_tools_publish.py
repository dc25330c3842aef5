"""The publish tool set: publish_asset gives the model a lasting link for an asset the media
tools made, the same link on a second call, and a one-line error for an unknown asset."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from dave.agents.spec import load_specs
from dave.media.studio import Studio
from dave.tools import ToolContext
from dave.tools.publish import publish_tools


async def test_publish_asset_gives_a_lasting_link_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAVE_PUBLISH_DIR", str(tmp_path / "public"))
    async with Studio(offline=True) as studio:
        made = await studio.image("a red fox")
        ctx = ToolContext(workspace=tmp_path, studio=studio)
        tool = publish_tools().get("publish_asset")
        assert tool is not None
        first = await tool.call({"asset_id": made.assets[0].id}, ctx)
        second = await tool.call({"asset_id": made.assets[0].id, "target": "local"}, ctx)
        missing = await tool.call({"asset_id": "a_0000000000"}, ctx)

    answer = json.loads(first.content)
    assert not first.is_error and json.loads(second.content) == answer
    assert answer["target"] == "local" and answer["expires_at"] is None
    copy = Path(url2pathname(urlsplit(answer["url"]).path))
    assert copy.read_bytes() == made.paths()[0].read_bytes()
    assert missing.is_error and missing.content.startswith("no asset")


def test_daisy_can_publish() -> None:
    assert "publish" in load_specs()["daisy"].toolsets
    schema = publish_tools().get("publish_asset").parameters  # type: ignore[union-attr]
    assert schema["properties"]["target"]["enum"] == ["local", "s3"]
    assert schema["required"] == ["asset_id"]
