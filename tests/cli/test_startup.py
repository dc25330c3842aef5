"""`dave --help` stays fast: it must not import providers, the emulator, the store or agents."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "dave.providers",
    "dave.emulator",
    "dave.store",
    "dave.media",
    "dave.server",
    "dave.agents",
    "dave.mcp",
    "mcp",
    "httpx2",
    "PIL",
    "av",
    "uvicorn",
    "starlette",
)

PROBE = """
import sys, json
sys.argv = ["dave", "--help"]
from dave.cli.entry import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_help_imports_no_provider_emulator_store_or_agent_module():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert "Usage" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = [name for name in loaded if name.startswith(HEAVY)]
    assert heavy == []


def test_every_command_has_help_that_exits_zero():
    for command in (
        ["image"],
        ["edit"],
        ["video"],
        ["upscale"],
        ["control"],
        ["music"],
        ["lyrics"],
        ["providers"],
        ["cost"],
        ["demo"],
        ["jobs", "list"],
        ["jobs", "resume"],
        ["assets", "search"],
        ["emulator", "serve"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "dave", *command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (command, done.stderr)
        assert "Usage" in done.stdout


def test_the_kept_root_help_matches_what_typer_renders():
    from dave.cli.entry import HELP_FILE, render_help

    assert HELP_FILE.read_text(encoding="utf-8") == render_help(), (
        "src/dave/cli/help.txt is stale: run `python -m dave.cli.entry --write-help`"
    )


def test_root_help_does_not_even_import_typer():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert "typer" not in loaded and "rich" not in loaded


def test_a_json_listing_does_not_import_rich_or_pydantic(tmp_path):
    probe = PROBE.replace('["dave", "--help"]', '["dave", "assets", "list", "--json"]')
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith('{"assets": [')
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith(("rich", "pydantic", "httpx2"))] == []


def test_version_is_as_fast_as_the_help():
    probe = PROBE.replace('["dave", "--help"]', '["dave", "--version"]')
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("dave ")
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith((*HEAVY, "typer", "rich"))] == []
