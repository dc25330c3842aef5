"""P4 start-up: wall time of `dave --help` (the installed console script) against bare Python.

Each command runs RUNS times after one unmeasured run; figures are medians. Baselines from the
same run: `python -c pass` (goal: dave --help <= 4x) and `python -c "import httpx2"`.
`dave assets --help` (a sub-command's help, through typer) is shown for scale.

Bytecode: this sandbox sets PYTHONDONTWRITEBYTECODE, so dave's own modules (an editable install
under src/) have no .pyc and compile on every start. The main figures run with a bytecode cache
in a temp dir (PYTHONPYCACHEPREFIX), as on a normal machine; the environment as given is
measured too and printed beside them.

    .venv/bin/python bench/p4_startup.py [--quick]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from _common import (
    BIN,
    dave_env,
    line,
    median,
    parse_args,
    ratio,
    wall_times,
    with_bytecode_cache,
)

GOAL = 4.0


def main() -> int:
    args = parse_args(__doc__)
    runs = 2 if args.quick else 21
    dave = str(BIN / "dave")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import httpx2"': [sys.executable, "-c", "import httpx2"],
        "dave --help": [dave, "--help"],
        "dave assets --help": [dave, "assets", "--help"],
    }
    line(f"P4 start-up: median of {runs} runs each, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="dave-bench-p4-") as folder:
        home = Path(folder) / "home"
        plain = dave_env(home)
        cached = with_bytecode_cache(plain, Path(folder) / "pycache")
        medians: dict[tuple[str, str], float] = {}
        for setting, env in (("bytecode cached", cached), ("environment as given", plain)):
            for name, argv in commands.items():
                medians[setting, name] = median(wall_times(argv, runs, env))
        for name in commands:
            line(
                f"{name:28} {medians['bytecode cached', name] * 1000:7.1f} ms"
                f"   (as given: {medians['environment as given', name] * 1000:7.1f} ms)"
            )
    for setting, tag in (("bytecode cached", ""), ("environment as given", ".as_given")):
        help_s = medians[setting, "dave --help"]
        ratio(
            f"p4.help_over_python_pass{tag}",
            help_s / medians[setting, "python -c pass"],
            GOAL,
            f"dave --help / python -c pass ({setting})",
        )
        ratio(
            f"p4.help_over_import_httpx2{tag}",
            help_s / medians[setting, 'python -c "import httpx2"'],
            None,
            f'dave --help / python -c "import httpx2" ({setting})',
        )
        ratio(
            f"p4.assets_help_over_python_pass{tag}",
            medians[setting, "dave assets --help"] / medians[setting, "python -c pass"],
            None,
            f"dave assets --help / python -c pass ({setting}), for scale",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
