"""The new commands parse their arguments without loading what they run: `dave music --help`
and friends import no provider, emulator, store or media module, and no HTTP stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "dave.providers",
    "dave.emulator",
    "dave.store",
    "dave.media",
    "dave.agents",
    "dave.publish",
    "dave.mcp",
    "mcp",
    "dave.server",
    "starlette",
    "uvicorn",
    "websockets",
    "httpx2",
    "boto3",
)

PROBE = """
import sys, json
sys.argv = ["dave", *json.loads(sys.argv[1]), "--help"]
from dave.cli.entry import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "command",
    [
        *([name] for name in ("image", "edit", "video", "upscale", "control", "music", "lyrics")),
        ["cost"],
        ["publish"],
        ["mcp"],
        ["serve"],
    ],
)
def test_a_media_command_s_help_loads_none_of_its_work(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(command)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert "Usage" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith(HEAVY)] == []
