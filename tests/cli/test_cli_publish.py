"""`dave publish` and `--publish` on the media commands, to the local folder: links printed
and journaled, a second publish the same link with nothing copied, `dave assets show` and
`dave assets list --published` reading the rows, and a target that cannot be opened refused
before any job is sent."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from tests.cli.helpers import one_json

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _file_of(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path))


def test_an_image_published_as_it_is_made_and_again_by_id(
    run_dave: RunDave, dave_home: Path, tmp_path: Path
) -> None:
    public = tmp_path / "public"
    env = {"DAVE_PUBLISH_DIR": str(public)}
    made = run_dave("image", "a red fox", "-n", "2", "--offline", "--publish", "--json", env=env)

    assert made.returncode == 0, made.stderr
    payload = one_json(made.stdout)
    assets = payload["assets"]
    published = payload["published"]
    assert [p["asset_id"] for p in published] == [a["id"] for a in assets]
    for asset, entry in zip(assets, published, strict=True):
        assert entry["target"] == "local" and entry["expires_at"] is None
        assert entry["key"] == f"{asset['sha256']}.{asset['path'].rsplit('.', 1)[1]}"
        assert _file_of(entry["url"]).read_bytes() == Path(asset["path"]).read_bytes()

    again = run_dave("publish", assets[0]["id"], "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["published"] == [published[0]]
    assert len(list(public.iterdir())) == len({a["sha256"] for a in assets})

    shown = one_json(run_dave("assets", "show", assets[0]["id"], "--json", env=env).stdout)
    assert [p["url"] for p in shown["asset"]["published"]] == [published[0]["url"]]
    listed = one_json(run_dave("assets", "list", "--published", "--json", env=env).stdout)
    assert {a["id"] for a in listed["assets"]} == {a["id"] for a in assets}
    text = run_dave("publish", assets[1]["id"], env=env)
    assert text.stdout.strip() == published[1]["url"]


def test_a_target_that_cannot_be_opened_is_refused_before_any_job(
    run_dave: RunDave, dave_home: Path
) -> None:
    done = run_dave("image", "a red fox", "--offline", "--publish-to", "s3", "--json")
    unknown = run_dave("publish", "a_whatever", "--to", "ftp")

    assert done.returncode == 1
    assert done.stderr.startswith("dave: error: no S3 bucket to publish to (set DAVE_S3_BUCKET")
    assert one_json(done.stdout)["error"]["type"] == "ConfigError"
    jobs = one_json(run_dave("jobs", "list", "--json").stdout)
    assert jobs["jobs"] == []
    assert unknown.stderr.startswith("dave: error: unknown publish target 'ftp'; use one of local")


def test_publishing_an_unknown_asset_is_one_line_and_records_nothing(
    run_dave: RunDave, dave_home: Path, tmp_path: Path
) -> None:
    env = {"DAVE_PUBLISH_DIR": str(tmp_path / "public")}
    done = run_dave("publish", "a_0000000000", "--json", env=env)

    assert done.returncode == 1
    assert done.stderr.startswith("dave: error: no asset") and "Traceback" not in done.stderr
    assert not (tmp_path / "public").exists()
