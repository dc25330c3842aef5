"""The package type-checks: mypy, strict, with pyproject.toml's [tool.mypy] config.

Run here so the README's test command (and CI) covers it; mypy is in the test extras.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)  # a cold run (no .mypy_cache) takes ~15 s on a quiet machine
def test_mypy_strict_passes_on_the_package() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "src/dave"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, f"mypy found problems:\n{run.stdout}{run.stderr}"


def test_the_mypy_config_is_strict_without_ignored_packages() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    assert "ignore_missing_imports" not in config
