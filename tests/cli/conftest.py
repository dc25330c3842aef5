"""Fixtures for the CLI's tests: `run_dave` runs `python -m dave` in a subprocess, as a user
would, with the test's environment (its private DAVE_HOME, and the emulator when `xai` is used)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _run_dave(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    # The same call as tests/conftest.py's run_dave; a fixture here so that this folder does not
    # depend on which `conftest` module happens to be importable by name.
    return subprocess.run(
        [sys.executable, "-m", "dave", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


@pytest.fixture
def run_dave() -> RunDave:
    return _run_dave
