"""`dave image`, `dave edit`, `dave upscale` and `dave control` with MiniMax's and Stability's
flags: each flag reaches the wire under the provider's name, a flag the provider lacks is one
line before anything is sent, and the files land in the library."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cli.helpers import image_size, one_json, picture, polls_at_once
from tests.conftest import sent_forms

from dave.emulator import EmulatorServer

RunDave = Callable[..., subprocess.CompletedProcess[str]]
Forms = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def forms(stability: EmulatorServer) -> Iterator[Forms]:
    """The multipart bodies the Stability emulator parsed during this test: path, fields,
    files (name → (file name, content type, size)) and headers."""
    yield lambda: sent_forms(stability)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return picture(tmp_path / "source.png", size=(96, 64))


def _done(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert run.returncode == 0, run.stderr
    payload = one_json(run.stdout)
    assert payload["job"]["state"] == "done"
    return payload


def _data_uri(path: Path, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


# --- what x.ai refuses, before anything is sent ----------------------------------------------


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--seed", "3"], "--seed is not supported by xai"),
        (["--negative", "fog"], "--negative is not supported by xai"),
        (["--style", "anime"], "--style is not supported by xai"),
        (["--width", "512", "--height", "512"], "--width is not supported by xai"),
        (["--no-prompt-optimizer"], "--prompt-optimizer is not supported by xai"),
        (["--format", "webp"], "--format is not supported by xai"),
        (["--opt", "style_weight=0.5"], "--opt style_weight is not supported by xai"),
    ],
)
def test_an_x_ai_image_refuses_another_providers_flag_naming_the_flag(
    run_dave: RunDave, xai: EmulatorServer, flags: list[str], named: str
) -> None:
    done = run_dave("image", "a red fox", *flags, "--json")

    assert done.returncode == 1
    assert done.stderr.startswith(f"dave: error: {named}; leave it unset")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert one_json(done.stdout)["error"]["type"] == "InvalidRequest"
    assert len(xai.log) == 0


def test_an_x_ai_edit_refuses_an_operation(
    run_dave: RunDave, xai: EmulatorServer, source: Path
) -> None:
    done = run_dave("edit", "-i", str(source), "--op", "erase")

    assert done.returncode == 1
    assert "op" in done.stderr and len(done.stderr.splitlines()) == 1
    assert len(xai.log) == 0


def test_an_edit_without_an_image_is_a_usage_error(run_dave: RunDave) -> None:
    done = run_dave("edit", "make it blue", "-p", "stability", "--op", "recolor")

    assert done.returncode == 2
    assert "--image" in done.stderr and "Traceback" not in done.stderr


# --- MiniMax image-01 --------------------------------------------------------------------


def test_a_minimax_image_after_a_subject_with_seed_and_optimizer(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    face = picture(tmp_path / "face.png", size=(256, 256))

    payload = _done(
        run_dave(
            "image",
            "the same woman as an astronaut",
            "-p",
            "minimax",
            "--subject",
            str(face),
            "--seed",
            "7",
            "--prompt-optimizer",
            "--json",
        )
    )

    (post,) = minimax.log.posts()
    assert post.path == "/minimax/v1/image_generation"
    assert post.json["model"] == "image-01"
    assert (post.json["seed"], post.json["prompt_optimizer"]) == (7, True)
    assert post.json["subject_reference"][0]["image_file"] == _data_uri(face)
    assert payload["job"]["model"] == "image-01"
    assert Path(payload["assets"][0]["path"]).is_file()


def test_a_minimax_image_of_a_set_width_and_height(
    run_dave: RunDave, minimax: EmulatorServer
) -> None:
    payload = _done(
        run_dave("image", "a wide dune", "-p", "minimax", "--width", "1024", "--height", "512",
                 "--json")
    )  # fmt: skip

    (post,) = minimax.log.posts()
    assert (post.json["width"], post.json["height"]) == (1024, 512)
    assert "aspect_ratio" not in post.json
    assert image_size(Path(payload["assets"][0]["path"])) == (1024, 512)


# --- Stable Image ------------------------------------------------------------------------


def test_a_stable_image_core_picture_with_negative_style_format_and_seed(
    run_dave: RunDave, forms: Forms
) -> None:
    payload = _done(
        run_dave(
            "image",
            "a lighthouse",
            "-p",
            "stability",
            "--negative",
            "fog",
            "--style",
            "pixel-art",
            "--output-format",
            "webp",
            "--seed",
            "42",
            "-a",
            "16:9",
            "--json",
        )
    )

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/generate/core"
    assert sent["fields"] == {
        "prompt": "a lighthouse",
        "negative_prompt": "fog",
        "style_preset": "pixel-art",
        "output_format": "webp",
        "seed": "42",
        "aspect_ratio": "16:9",
    }
    job = payload["job"]
    assert (job["model"], job["price"], job["price_unit"]) == ("stable-image-core", 3, "credits")
    assert payload["assets"][0]["mime"] == "image/webp"


def test_a_stability_image_to_image_from_an_init_image_and_strength(
    run_dave: RunDave, forms: Forms, source: Path
) -> None:
    _done(
        run_dave(
            "image",
            "the same scene at night",
            "-p",
            "stability",
            "-m",
            "sd3.5-large",
            "--init-image",
            str(source),
            "--strength",
            "0.6",
            "--cfg-scale",
            "5",
            "--json",
        )
    )

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/generate/sd3"
    assert sent["fields"]["model"] == "sd3.5-large"
    assert sent["fields"]["strength"] == "0.6"
    assert sent["fields"]["cfg_scale"] == "5"
    assert sent["files"]["image"][2] == len(source.read_bytes())


# --- Stability edits -----------------------------------------------------------------------


def test_an_outpaint_needs_no_prompt_and_sends_the_margins(
    run_dave: RunDave, forms: Forms, source: Path
) -> None:
    payload = _done(
        run_dave("edit", "-p", "stability", "--op", "outpaint", "-i", str(source),
                 "--left", "32", "--down", "16", "--creativity", "0.4", "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/edit/outpaint"
    assert sent["fields"] == {"left": "32", "down": "16", "creativity": "0.4"}
    assert payload["job"]["model"] == "outpaint"
    assert image_size(Path(payload["assets"][0]["path"])) == (96 + 32, 64 + 16)


def test_a_search_and_replace_sends_what_to_find_and_what_to_paint(
    run_dave: RunDave, forms: Forms, source: Path
) -> None:
    _done(
        run_dave("edit", "a golden retriever", "-p", "stability", "--op", "search-replace",
                 "--search", "the cat", "--grow-mask", "5", "-i", str(source), "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/edit/search-and-replace"
    assert sent["fields"]["prompt"] == "a golden retriever"
    assert sent["fields"]["search_prompt"] == "the cat"
    assert sent["fields"]["grow_mask"] == "5"


def test_an_erase_sends_the_mask_file(
    run_dave: RunDave, forms: Forms, source: Path, tmp_path: Path
) -> None:
    mask = picture(tmp_path / "mask.png", size=(96, 64))

    _done(
        run_dave("edit", "-p", "stability", "--op", "erase", "-i", str(source),
                 "--mask", str(mask), "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/edit/erase"
    assert sent["files"]["mask"][2] == len(mask.read_bytes())


def test_a_relight_is_polled_to_done_with_the_new_background_and_light(
    run_dave: RunDave, forms: Forms, source: Path, dave_home: Path
) -> None:
    polls_at_once(dave_home, "stability", "edit", "replace-background-and-relight")

    payload = _done(
        run_dave("edit", "-p", "stability", "--op", "relight", "-i", str(source),
                 "--background", "a beach at noon", "--light-direction", "left",
                 "--light-strength", "0.5", "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/edit/replace-background-and-relight"
    assert sent["fields"]["background_prompt"] == "a beach at noon"
    assert sent["fields"]["light_source_direction"] == "left"
    assert sent["fields"]["light_source_strength"] == "0.5"
    assert payload["job"]["model"] == "replace-background-and-relight"
    assert payload["job"]["provider_job_id"]


# --- upscale and control ---------------------------------------------------------------------


def test_a_fast_upscale_makes_the_image_four_times_larger(
    run_dave: RunDave, forms: Forms, source: Path
) -> None:
    payload = _done(run_dave("upscale", str(source), "--json"))

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/upscale/fast"
    assert payload["job"]["kind"] == "upscale"
    assert (payload["job"]["price"], payload["job"]["price_unit"]) == (2, "credits")
    assert image_size(Path(payload["assets"][0]["path"])) == (384, 256)


def test_a_conservative_upscale_sends_its_prompt_and_creativity(
    run_dave: RunDave, forms: Forms, source: Path
) -> None:
    _done(
        run_dave("upscale", str(source), "--mode", "conservative", "--prompt", "a blue field",
                 "--creativity", "0.3", "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/upscale/conservative"
    assert sent["fields"] == {"prompt": "a blue field", "creativity": "0.3"}


def test_an_unknown_upscale_mode_is_one_json_error_and_nothing_is_sent(
    run_dave: RunDave, stability: EmulatorServer, source: Path
) -> None:
    done = run_dave("upscale", str(source), "--mode", "huge", "--json")

    assert done.returncode == 1
    assert "mode must be" in done.stderr and len(done.stderr.splitlines()) == 1
    assert one_json(done.stdout)["error"]["type"] == "InvalidRequest"
    assert len(stability.log) == 0


def test_a_sketch_becomes_an_image_with_the_control_strength(
    run_dave: RunDave, forms: Forms, source: Path
) -> None:
    payload = _done(
        run_dave("control", str(source), "a castle on a hill", "--mode", "sketch",
                 "--control-strength", "0.5", "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/control/sketch"
    assert sent["fields"]["prompt"] == "a castle on a hill"
    assert sent["fields"]["control_strength"] == "0.5"
    assert payload["job"]["model"] == "control-sketch"


def test_a_style_transfer_needs_no_prompt_and_sends_both_images(
    run_dave: RunDave, forms: Forms, source: Path, tmp_path: Path
) -> None:
    style = picture(tmp_path / "style.png", size=(80, 80))

    payload = _done(
        run_dave("control", str(source), "--mode", "style-transfer", "--style-image",
                 str(style), "--json")
    )  # fmt: skip

    (sent,) = forms()
    assert sent["path"] == "/stability/v2beta/stable-image/control/style-transfer"
    assert sent["files"]["init_image"][2] == len(source.read_bytes())
    assert sent["files"]["style_image"][2] == len(style.read_bytes())
    assert payload["job"]["model"] == "style-transfer"


def test_an_offline_upscale_needs_no_key(run_dave: RunDave, source: Path, dave_home: Path) -> None:
    payload = _done(run_dave("upscale", str(source), "--offline", "--json"))

    path = Path(payload["assets"][0]["path"])
    assert path.is_relative_to(dave_home / "media")
    assert image_size(path) == (384, 256)
