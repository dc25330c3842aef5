"""`dave emulator serve`: the lines it prints are enough to point dave at it for every provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_dave
from tests.reliability.helpers_procs import free_port


def test_the_printed_exports_reach_each_provider(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dave", "emulator", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert server.stderr is not None  # messages go to stderr, as every message does
        lines = [server.stderr.readline() for _ in range(4)]
        exports = {}
        for line in lines[1:]:
            assert line.strip().startswith("export ")
            for pair in line.split()[1:]:
                name, _, value = pair.partition("=")
                exports[name] = value
        assert exports["XAI_BASE_URL"] == f"http://127.0.0.1:{port}/v1"
        for provider in ("xai", "minimax", "stability"):
            made = run_dave(
                "image", "a lighthouse", "--provider", provider, "--json", env=exports, timeout=60
            )
            assert made.returncode == 0, made.stderr
            assert json.loads(made.stdout)["job"]["provider"] == provider
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_offline_media_runs_take_their_faults_from_dave_emulator_config(tmp_path: Path) -> None:
    config = tmp_path / "faults.json"
    config.write_text(
        json.dumps([{"match": "POST /minimax/v1/image_generation", "kind": "moderated"}])
    )
    env = {"DAVE_EMULATOR_CONFIG": str(config)}
    refused = run_dave("image", "a lighthouse", "-p", "minimax", "--offline", "--json", env=env)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["type"] == "Moderated"
    # Other routes of the same emulator are untouched by the rule.
    made = run_dave("image", "a lighthouse", "-p", "stability", "--offline", "--json", env=env)
    assert made.returncode == 0, made.stderr

    missing = {"DAVE_EMULATOR_CONFIG": str(tmp_path / "nope.json")}
    broken = run_dave("image", "a lighthouse", "--offline", env=missing)
    assert broken.returncode == 1
    assert "DAVE_EMULATOR_CONFIG" in broken.stderr and "Traceback" not in broken.stderr
