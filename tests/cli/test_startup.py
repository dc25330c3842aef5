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
    "httpx2",
    "PIL",
    "av",
    "uvicorn",
    "starlette",
)

PROBE = """
import sys, json
sys.argv = ["dave", "--help"]
from dave.cli.app import main
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
