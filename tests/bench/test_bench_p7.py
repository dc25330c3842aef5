"""bench/p7_providers.py runs (`--quick`), exits 0 and prints one RATIO line with a goal for
each MiniMax and Stability case, in the format and with the verdicts test_bench_smoke checks.

Speed is not asserted: a quick run on a shared machine says nothing about it.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from tests.bench.test_bench_smoke import BENCH, RATIO, _check_verdict

CASES = ("minimax_base64", "minimax_url", "stability_core", "minimax_music")


def test_quick_run_exits_0_and_prints_a_ratio_per_provider_case(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "p7_providers.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=100,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr[-4000:]}"
    lines = done.stdout.splitlines()

    ratios = {m["name"]: m for line in lines if (m := RATIO.match(line))}
    assert set(ratios) == {f"p7.{case}.dave_over_bare" for case in CASES}, done.stdout
    for match in ratios.values():
        value = float(match["value"])
        assert math.isfinite(value) and value > 0, match.group(0)
        assert (match["op"], match["goal"]) == ("<=", "1.250"), match.group(0)
        _check_verdict(match)
    # Each case prints both sides' wall, rate and CPU per job before its RATIO line.
    summaries = [line for line in lines if line.startswith("  dave ") and " bare " in line]
    assert len(summaries) == len(CASES), done.stdout
    assert all(line.count("ms CPU/job") == 2 for line in summaries), summaries

    for line in lines:
        if line.startswith("RATIO "):
            assert RATIO.match(line), line
