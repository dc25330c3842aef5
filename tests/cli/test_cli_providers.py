"""`dave providers`: each provider's key state (never the key), base URL and models by kind,
from settings and the capability table alone: no network, no provider code loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from tests.cli.helpers import one_json

RunDave = Callable[..., subprocess.CompletedProcess[str]]
CANARY = "sk-canary-5f0e1d2c3b4a"


def _by_name(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {provider["name"]: provider for provider in payload["providers"]}


def test_providers_json_without_keys_lists_all_three_with_defaults_and_deprecations(
    run_dave: RunDave,
) -> None:
    done = run_dave("providers", "--json")

    assert done.returncode == 0, done.stderr
    providers = _by_name(one_json(done.stdout))
    assert list(providers) == ["xai", "minimax", "stability"]
    assert [p["key_set"] for p in providers.values()] == [False, False, False]
    assert providers["xai"]["base_url"] == "https://api.x.ai/v1"
    assert providers["minimax"]["key_variable"] == "MINIMAX_API_KEY"
    assert providers["stability"]["base_url"] == "https://api.stability.ai"
    xai_image = providers["xai"]["kinds"]["image"]
    assert xai_image["default"] == "grok-imagine-image"
    flags = {m["model"]: (m["default"], bool(m["deprecated"])) for m in xai_image["models"]}
    assert flags["grok-imagine-image"] == (True, False)
    assert flags["grok-imagine-image-pro"] == (False, True)
    assert set(providers["minimax"]["kinds"]) == {"image", "video", "music", "lyrics"}
    assert providers["minimax"]["kinds"]["music"]["default"] == "music-2.6"
    assert set(providers["stability"]["kinds"]) == {
        "image", "edit", "upscale", "control", "music"
    }  # fmt: skip
    assert providers["stability"]["kinds"]["upscale"]["default"] == "upscale-fast"
    deprecated = [
        m["model"] for m in providers["minimax"]["kinds"]["music"]["models"] if m["deprecated"]
    ]
    assert deprecated == ["music-2.6-free", "music-3.0-free", "music-cover-free"]


def test_providers_says_a_key_is_set_and_never_prints_it(run_dave: RunDave) -> None:
    env = {
        "MINIMAX_API_KEY": CANARY,
        "STABILITY_API_KEY": CANARY + "-st",
        "STABILITY_BASE_URL": "http://127.0.0.1:9/stability/",
    }

    as_json = run_dave("providers", "--json", env=env)
    for_people = run_dave("providers", env=env)

    assert as_json.returncode == 0, as_json.stderr
    assert for_people.returncode == 0, for_people.stderr
    providers = _by_name(one_json(as_json.stdout))
    assert [p["key_set"] for p in providers.values()] == [False, True, True]
    assert providers["stability"]["base_url"] == "http://127.0.0.1:9/stability"
    for run in (as_json, for_people):
        assert "canary" not in run.stdout + run.stderr
    assert "no key: set XAI_API_KEY" in for_people.stdout
    assert "minimax  https://api.minimax.io  (key set)" in for_people.stdout


def test_providers_for_people_marks_the_default_and_deprecated_models(
    run_dave: RunDave,
) -> None:
    done = run_dave("providers")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    (upscale,) = [line for line in lines if line.strip().startswith("upscale")]
    assert "upscale-fast*" in upscale and "upscale-creative" in upscale
    (xai_image,) = [line for line in lines if "grok-imagine-image-pro" in line]
    assert "grok-imagine-image-pro (deprecated by x.ai" in xai_image
    assert "* the default" in done.stderr


PROBE = """
import sys, json
sys.argv = ["dave", "providers", "--json"]
from dave.cli.entry import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_providers_loads_no_provider_client_emulator_store_or_http_stack() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)

    assert done.stdout.startswith('{"providers": [')
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = ("dave.providers.", "dave.emulator", "dave.store", "dave.media.studio", "httpx2")
    # Each provider's address module (`<name>_api`) is plain constants; its client is not.
    clients = [name for name in loaded if name.startswith(heavy) and not name.endswith("_api")]
    assert clients == []
    assert "dave.providers.xai_api" in loaded  # the probe does see what it lets through


# --- -p/--provider on the media commands -------------------------------------------------------


def test_provider_names_are_case_insensitive(run_dave: RunDave) -> None:
    for args, provider in (
        (["image", "a fox", "-p", "XAI"], "xai"),
        (["image", "a fox", "--provider", "MiniMax"], "minimax"),
        (["image", "a fox", "-p", "Stability"], "stability"),
    ):
        done = run_dave(*args, "--offline", "--json")
        assert done.returncode == 0, (args, done.stderr)
        assert one_json(done.stdout)["job"]["provider"] == provider


def test_an_unknown_provider_is_one_line_with_the_choices(run_dave: RunDave) -> None:
    done = run_dave("image", "a fox", "-p", "OpenAI", "--offline")

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "dave: error: unknown provider 'openai'; use one of xai, minimax, stability\n"
    )
