"""The console script. `dave` and `dave --help` print a help text kept beside this module, so
the commonest call starts in a few milliseconds; everything else goes to the typer app.

The kept text is rendered from the app itself (`render_help`) and a test fails when it is
stale: regenerate it with `python -m dave.cli.entry --write-help`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HELP_FILE = Path(__file__).with_name("help.txt")
# The width the kept text is rendered at; a terminal of another width gets it as it is.
HELP_WIDTH = 100


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        # As fast as the help: no typer, no rich.
        from dave.cli.version import version_text

        sys.stdout.write(version_text() + "\n")
        sys.stdout.flush()
        raise SystemExit(0)
    if args in ([], ["--help"]) and HELP_FILE.exists():
        sys.stdout.write(HELP_FILE.read_text(encoding="utf-8"))
        sys.stdout.flush()
        # Like click: asking for help succeeds; giving no command at all is a usage error.
        raise SystemExit(0 if args else 2)
    from dave.cli.app import app
    from dave.cli.errors import run_guarded

    run_guarded(app)


def render_help() -> str:
    """The root help exactly as typer prints it at HELP_WIDTH columns, without colour."""
    import subprocess

    env = {**os.environ, "COLUMNS": str(HELP_WIDTH), "TERM": "dumb", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-c", "from dave.cli.app import app; app(prog_name='dave')", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-help"]:
        HELP_FILE.write_text(render_help(), encoding="utf-8")
    else:
        main()
