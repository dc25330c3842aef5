"""Provider options without a flag of their own (`--opt name=value`), errors that name the flag
the user typed, `--format` as the file format everywhere, `-i` for every input image, and
`dave providers --options`, which lists them all from the registry."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.cli.helpers import one_json, picture
from tests.conftest import sent_forms

from dave.emulator import EmulatorServer
from dave.media import catalog

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def test_an_opt_reaches_the_wire_typed_as_its_field(
    run_dave: RunDave, stability: EmulatorServer, tmp_path: Path
) -> None:
    source = picture(tmp_path / "room.png", size=(96, 64))
    done = run_dave(
        "control", "-i", str(source), "a castle", "--mode", "style-transfer",
        "--style-image", str(source), "--opt", "style_strength=0.4",
        "--opt", "change_strength=0.8", "--json",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    (sent,) = sent_forms(stability)
    assert sent["path"].endswith("/control/style-transfer")
    assert (sent["fields"]["style_strength"], sent["fields"]["change_strength"]) == ("0.4", "0.8")
    assert one_json(done.stdout)["job"]["state"] == "done"


def test_an_opt_holding_json_gives_a_list_of_objects(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    frame = picture(tmp_path / "frame.png", size=(64, 64))
    keyframes = json.dumps([{"image": str(frame), "at_s": 2}])
    done = run_dave("video", "a ball rolls", "-m", "grok-imagine-video-1.5",
                    "--opt", f"keyframes={keyframes}", "--no-wait", "--json")  # fmt: skip

    assert done.returncode == 0, done.stderr
    (post,) = xai.log.posts()
    [keyframe] = post.json["keyframes"]
    assert keyframe["timestamp_s"] == 2  # a number, read from the JSON
    assert keyframe["image"]["url"].startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--opt", "seed"], "dave: error: --opt needs NAME=VALUE, got 'seed'"),
        (["--opt", "sed=1"], "dave: error: --opt sed: image requests have no such field"),
        (
            ["--seed", "1", "--opt", "seed=2"],
            "dave: error: --opt seed repeats --seed; give it once",
        ),
        (["--opt", "seed=1", "--opt", "seed=2"], "dave: error: --opt seed is given twice"),
        (["--format", "b64"], "dave: error: --format is the file format (such as png or mp3)"),
    ],
)
def test_a_bad_opt_or_format_is_one_line_and_sends_nothing(
    run_dave: RunDave, minimax: EmulatorServer, args: list[str], line: str
) -> None:
    done = run_dave("image", "a red fox", "-p", "minimax", *args)

    assert done.returncode == 1
    assert done.stderr.startswith(line), done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert len(minimax.log) == 0


def test_a_refused_value_names_the_flag_and_the_opt_the_user_typed(
    run_dave: RunDave, stability: EmulatorServer, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.png"
    by_flag = run_dave("image", "a fox", "-p", "stability", "-m", "sd3.5-large",
                       "--init-image", str(missing), "--strength", "0.5")  # fmt: skip
    by_opt = run_dave("image", "a fox", "-p", "stability", "-m", "sd3.5-large",
                      "--opt", "cfg_scale=50")  # fmt: skip
    count = run_dave("image", "a fox", "-p", "stability", "--cfg-scale", "3")

    assert by_flag.stderr.startswith(f"dave: error: --image: image file not found: {missing}")
    assert by_opt.stderr.startswith("dave: error: --opt cfg_scale 50 is out of range")
    assert count.stderr.startswith("dave: error: --cfg-scale is not supported by stability")
    assert len(stability.log) == 0


def test_upscale_takes_its_image_with_i_or_as_before_by_position(
    run_dave: RunDave, stability: EmulatorServer, tmp_path: Path
) -> None:
    source = picture(tmp_path / "small.png", size=(64, 64))
    with_i = run_dave("upscale", "-i", str(source), "--json")
    by_position = run_dave("upscale", str(source), "--json")
    both = run_dave("upscale", str(source), "-i", str(source))
    neither = run_dave("upscale")

    assert with_i.returncode == by_position.returncode == 0, with_i.stderr + by_position.stderr
    assert [f["path"] for f in sent_forms(stability)] == [
        "/stability/v2beta/stable-image/upscale/fast"
    ] * 2
    assert both.stderr.startswith("dave: error: two input images")
    assert neither.stderr.startswith("dave: error: no input image (give one with -i IMAGE")


def test_format_is_the_output_file_format_on_images_and_music(
    run_dave: RunDave, stability: EmulatorServer
) -> None:
    image = run_dave("image", "a fox", "-p", "stability", "--format", "webp", "--json")
    music = run_dave("music", "rain on a roof", "-p", "stability", "--format", "wav",
                     "--duration", "3", "--json")  # fmt: skip

    assert image.returncode == music.returncode == 0, image.stderr + music.stderr
    formats = [f["fields"]["output_format"] for f in sent_forms(stability)]
    assert formats == ["webp", "wav"]
    assert one_json(image.stdout)["assets"][0]["mime"] == "image/webp"


def test_providers_options_lists_every_field_each_provider_takes_with_its_flag(
    run_dave: RunDave,
) -> None:
    done = run_dave("providers", "--options", "--json")

    assert done.returncode == 0, done.stderr
    listed = {p["name"]: p["kinds"] for p in one_json(done.stdout)["providers"]}
    assert list(listed) == [s.name for s in catalog.slices()]
    for slice_ in catalog.slices():
        for kind, offer in slice_.offers.items():
            assert [f["field"] for f in listed[slice_.name][kind]] == list(offer.fields())
    image = {f["field"]: f for f in listed["stability"]["image"]}
    assert image["negative_prompt"]["flag"] == "--negative"
    assert image["image"]["flag"] == "--image"
    assert image["prompt"]["flag"] == "PROMPT"
    control = {f["field"]: f for f in listed["stability"]["control"]}
    assert control["style_strength"]["flag"] == "--opt style_strength=VALUE"
    assert control["style_strength"]["about"].startswith("style-transfer: 0–1")
    text = run_dave("providers", "--options")
    assert "--opt quality=VALUE" in text.stdout and "dave video" in text.stdout


def test_every_flag_of_a_media_command_is_a_field_some_provider_takes() -> None:
    """A flag no provider's offer names would be refused for everyone: the CLI and the
    registry must agree."""
    import typer

    from dave.cli.app import app
    from dave.cli.flags import command_flags

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]

    doors = {
        "opt",
        "out",
        "json",
        "offline",
        "no_wait",
        "old_image",
        "publish",
        "publish_to",
        "queue",
    }
    for kind, offers in (
        (k, catalog.offers(k))
        for k in ("image", "edit", "video", "upscale", "control", "music", "lyrics")
    ):
        taken = {"provider", "model"}.union(*(set(o.fields()) for o in offers.values()))
        flags = set(command_flags(commands[kind], with_arguments=True)) - doors
        assert flags <= taken, (kind, flags - taken)
