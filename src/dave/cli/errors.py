"""Turns every way a command can fail into one line on stderr and an exit code.

Exit codes: 0 success, 1 an error dave explains, 2 a usage error (click's), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer

from dave.core.errors import DaveError
from dave.core.redact import redact

_INTERRUPTED = "interrupted; unfinished jobs stay in the journal (`dave jobs resume`)"


def _from_interrupt(error: BaseException) -> bool:
    """Whether a KeyboardInterrupt is among the exceptions that led to this one."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def fail(line: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"dave: error: {redact(line)}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def _json_error(error: DaveError) -> None:
    """With `--json`, a failure still prints one JSON object, unless the command printed its
    result before failing (its line goes to stderr either way)."""
    if "--json" not in sys.argv[1:]:
        return
    from dave.cli.output import emit_json, error_object, json_emitted

    if not json_emitted():
        emit_json({"error": error_object(error)})


def run_guarded(app: typer.Typer) -> None:
    from dave.cli.output import start_run

    start_run()
    try:
        app()
    except DaveError as error:
        _json_error(error)
        line = error.user_line()
        if error.job_id and error.job_id not in line:
            line += f" [job {error.job_id}]"
        fail(line, getattr(error, "exit_code", 1))
    except KeyboardInterrupt:
        fail(_INTERRUPTED, 130)
    except SystemExit as exit:
        # typer turns Ctrl-C into a silent exit 130: say what it means.
        if exit.code == 130 and _from_interrupt(exit):
            fail(_INTERRUPTED, 130)
        raise
    except Exception as error:
        # A bug: say so in one line. DAVE_DEBUG=1 shows the traceback for a report.
        if os.environ.get("DAVE_DEBUG"):
            raise
        fail(f"internal error ({type(error).__name__}: {error}); rerun with DAVE_DEBUG=1")
