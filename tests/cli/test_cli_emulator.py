"""`dave emulator serve`: the lines it prints are enough to point dave at it for every provider."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
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


CANARY = "xai-canary-key-5f0e1d2c"
SERVE = [sys.executable, "-m", "dave", "emulator", "serve"]


def _wait_listening(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert server.poll() is None, server.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "the emulator did not start listening"
            time.sleep(0.05)


def test_ctrl_c_stops_serve_at_once_and_log_shows_requests_without_keys(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"match": "GET /v1/videos/*", "kind": "hang", "seconds": 30}]))
    port = free_port()
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--faults", str(faults), "--log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_listening(port, server)
        asked = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        asked.request(
            "GET", f"/v1/models?api_key={CANARY}", headers={"Authorization": f"Bearer {CANARY}"}
        )
        status = asked.getresponse().status
        # A request still in flight (a poll that hangs) when Ctrl-C comes.
        hung = socket.create_connection(("127.0.0.1", port), timeout=10)
        hung.sendall(b"GET /v1/videos/v_1 HTTP/1.1\r\nHost: emulator\r\n\r\n")
        time.sleep(0.3)
        asked_at = time.monotonic()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
        took = time.monotonic() - asked_at
        _, err = server.communicate(timeout=10)
        hung.close()
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, err
    # Aim: well under 0.5 s (about 0.25 s here); the slack is for a loaded machine.
    assert took < 1.0, f"took {took:.2f} s to stop"
    assert "Traceback" not in err and "ERROR" not in err, err
    assert re.search(rf"^GET /v1/models {status} \d+ ms$", err, re.MULTILINE), err
    assert CANARY not in err
