"""P5 library size: `dave assets list --json` and `dave assets search WORD --json` on 100,000
assets, timed as whole commands (subprocess wall time, median of RUNS after one unmeasured run).

The library is seeded by bench/seed_library.py (the store's schema and FTS triggers, one job per
asset). Searches: a common word (in about a third of the prompts; the newest 50 are shown) and
a rare one (about 1 in 1000). Baseline from the same run: `python -c pass`. Goal: each command
<= 200 ms. As in P4, the main figures use a bytecode cache (this sandbox sets
PYTHONDONTWRITEBYTECODE, so dave's own modules would compile on every start); the environment
as given is printed beside them.

    .venv/bin/python bench/p5_library.py [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    BIN,
    dave_env,
    goal,
    line,
    median,
    parse_args,
    ratio,
    wall_times,
    with_bytecode_cache,
)
from seed_library import RARE_WORD, seed_library

GOAL_MS = 200.0


def main() -> int:
    args = parse_args(__doc__)
    count, runs = (2_000, 2) if args.quick else (100_000, 9)
    dave = str(BIN / "dave")
    commands = {
        "assets list --json": [dave, "assets", "list", "--json"],
        "assets search fox --json": [dave, "assets", "search", "fox", "--json"],
        f"assets search {RARE_WORD} --json": [dave, "assets", "search", RARE_WORD, "--json"],
    }
    with tempfile.TemporaryDirectory(prefix="dave-bench-p5-") as folder:
        home = Path(folder) / "dave-home"
        start = time.perf_counter()
        rare = seed_library(home, count)
        seeded = time.perf_counter() - start
        size_mib = (home / "dave.db").stat().st_size / (1 << 20)
        line(
            f"P5 library: {count} assets seeded in {seeded:.1f} s ({size_mib:.0f} MiB database,"
            f" {rare} prompts hold {RARE_WORD!r}); median of {runs} runs each"
        )
        plain = dave_env(home)
        cached = with_bytecode_cache(plain, Path(folder) / "pycache")
        for name, argv in commands.items():  # what each command answers, checked once
            answer = json.loads(subprocess.run(argv, env=plain, capture_output=True).stdout)
            assert len(answer["assets"]) == min(50, rare if RARE_WORD in name else 50), name
        medians: dict[tuple[str, str], float] = {}
        for setting, env in (("bytecode cached", cached), ("environment as given", plain)):
            medians[setting, "python -c pass"] = median(
                wall_times([sys.executable, "-c", "pass"], runs, env)
            )
            for name, argv in commands.items():
                medians[setting, name] = median(wall_times(argv, runs, env))
    for name in ("python -c pass", *commands):
        line(
            f"{name:30} {medians['bytecode cached', name] * 1000:7.1f} ms"
            f"   (as given: {medians['environment as given', name] * 1000:7.1f} ms)"
        )
    baseline = medians["bytecode cached", "python -c pass"]
    for name in commands:
        tag = name.split(" --")[0].replace(" ", "_")
        elapsed = medians["bytecode cached", name]
        goal(f"p5.{tag}", elapsed * 1000, "ms", GOAL_MS, f"dave {name}, {count} assets")
        ratio(
            f"p5.{tag}_over_python_pass", elapsed / baseline, None, f"dave {name} / python -c pass"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
