"""Turns every way a command can fail into one line on stderr and an exit code.

Exit codes: 0 success, 1 an error dave explains, 2 a usage error (click's), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from typer import _click as click  # typer's own copy of click, whose errors it raises

from dave.core.errors import DaveError
from dave.core.redact import redact

_INTERRUPTED = "interrupted; unfinished jobs stay in the journal (`dave jobs resume`)"


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


def _usage_error(error: click.exceptions.UsageError) -> NoReturn:
    """click's usage error (unknown option, missing or bad argument) as one line, its "did you
    mean" included, and a pointer to the command's help; with `--json`, one error object too."""
    message = " ".join(error.format_message().split()).removesuffix(".")
    where = error.ctx.command_path if error.ctx is not None else "dave"
    line = f"{message}; see `{where} --help`"
    if "--json" in sys.argv[1:]:
        from dave.cli.output import emit_json, json_emitted

        if not json_emitted():
            hint = f"see `{where} --help`"
            fields = {"job_id": None, "provider": None, "status": None}
            emit_json({"error": {"type": "UsageError", "message": message, "hint": hint, **fields}})
    fail(line, error.exit_code)


def _run(app: typer.Typer) -> None:
    """The app, with click's errors handed to us instead of printed as a box (typer's rich
    panel, or click's three lines)."""
    try:
        code = app(standalone_mode=False, prog_name="dave")
    except click.exceptions.NoArgsIsHelpError as error:  # `dave jobs`: the group's help
        error.show()
        raise SystemExit(error.exit_code) from None
    except click.exceptions.UsageError as error:
        _usage_error(error)
    except click.exceptions.ClickException as error:
        fail(error.format_message(), error.exit_code)
    except typer.Abort:  # EOF at a prompt; Ctrl-C is typer's Exit(130)
        fail("aborted", 1)
    # Without standalone mode, click returns an Exit's code (typer.Exit, --help, Ctrl-C);
    # typer turns Ctrl-C into a silent 130, which run_guarded must still explain.
    if code == 130:
        raise KeyboardInterrupt
    if isinstance(code, int) and code:
        raise SystemExit(code)


def run_guarded(app: typer.Typer) -> None:
    from dave.cli.output import start_run

    start_run()
    try:
        _run(app)
    except DaveError as error:
        _json_error(error)
        line = error.user_line()
        if error.job_id and error.job_id not in line:
            line += f" [job {error.job_id}]"
        fail(line, getattr(error, "exit_code", 1))
    except KeyboardInterrupt:
        fail(_INTERRUPTED, 130)
    except Exception as error:
        # A bug: say so in one line. DAVE_DEBUG=1 shows the traceback for a report.
        if os.environ.get("DAVE_DEBUG"):
            raise
        fail(f"internal error ({type(error).__name__}: {error}); rerun with DAVE_DEBUG=1")
