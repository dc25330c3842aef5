"""How `dave` fails: exit code 1 and exactly one `dave: error:` line on stderr for errors it
explains, exit code 2 for usage errors, and never a traceback."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from dave.emulator import EmulatorServer, FaultRule

RunDave = Callable[..., subprocess.CompletedProcess[str]]


def _error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {done.stderr!r}"
    assert lines[0].startswith("dave: error: ")
    return lines[0]


def test_n_of_11_is_one_error_line_and_nothing_is_sent(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    done = run_dave("image", "a red fox", "-n", "11")

    line = _error_line(done)
    assert "n must be between 1 and 10, got 11" in line
    assert done.stdout == ""
    assert len(xai.log) == 0


def test_with_json_an_error_is_one_json_object_on_stdout_and_one_line_on_stderr(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    done = run_dave("image", "a red fox", "-n", "11", "--json")

    line = _error_line(done)
    assert "n must be between" in line
    (stdout_line,) = done.stdout.splitlines()
    error = json.loads(stdout_line)["error"]
    assert error["type"] == "InvalidRequest"
    assert "n must be between" in error["message"]


def test_missing_source_file_is_one_error_line_naming_it(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-photo.png"

    line = _error_line(run_dave("edit", "make it blue", "--image", str(missing)))

    assert "not found" in line
    assert str(missing) in line
    assert len(xai.log) == 0


def test_missing_key_without_offline_names_the_variable_and_offline(run_dave: RunDave) -> None:
    done = run_dave("image", "a red fox")

    line = _error_line(done)
    assert "XAI_API_KEY" in line
    assert "--offline" in line
    assert done.stdout == ""


def test_unknown_job_id_is_one_error_line(run_dave: RunDave) -> None:
    line = _error_line(run_dave("jobs", "show", "j_01NOSUCHJOB"))

    assert "j_01NOSUCHJOB" in line


def test_unknown_asset_id_is_one_error_line(run_dave: RunDave) -> None:
    line = _error_line(run_dave("assets", "show", "a_01NOSUCHASSET", "--json"))

    assert "a_01NOSUCHASSET" in line


def test_unknown_state_filter_is_one_error_line(run_dave: RunDave) -> None:
    line = _error_line(run_dave("jobs", "list", "--state", "sleeping"))

    assert "sleeping" in line


def test_a_provider_failure_names_the_job_to_look_up(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    xai.set_faults([FaultRule(match="POST /v1/images/generations", kind="moderated")])

    line = _error_line(run_dave("image", "something refused"))

    assert "content policy" in line
    assert "job j_" in line


def test_a_lost_answer_exits_non_zero_and_says_how_to_look_it_up(
    run_dave: RunDave, xai: EmulatorServer
) -> None:
    xai.set_faults([FaultRule(match="POST /v1/images/generations", kind="reset")])

    line = _error_line(run_dave("image", "a red fox"))

    assert "dave jobs show" in line
    assert "job j_" in line
    assert len(xai.log.posts()) == 1


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("image", "a red fox", "--bogus"),
            "dave: error: No such option: --bogus (Possible options: --out); "
            "see `dave image --help`",
        ),
        (("image",), "dave: error: Missing argument 'PROMPT'; see `dave image --help`"),
        (
            ("video", "a fox", "--duration", "many"),
            "dave: error: Invalid value for '--duration' / '-d': 'many' is not a valid int; "
            "see `dave video --help`",
        ),
        (
            ("jobs", "frobnicate"),
            "dave: error: No such command 'frobnicate'; see `dave jobs --help`",
        ),
        (("jobs", "show"), "dave: error: Missing argument 'JOB_ID'; see `dave jobs show --help`"),
    ],
    ids=["unknown option", "missing prompt", "non-integer duration", "unknown subcommand", "no id"],
)
def test_usage_errors_are_one_line_and_exit_2(
    run_dave: RunDave, args: tuple[str, ...], line: str
) -> None:
    done = run_dave(*args)

    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert done.stderr == line + "\n"


def test_a_misspelled_flag_keeps_clicks_suggestion_in_its_one_line(run_dave: RunDave) -> None:
    done = run_dave("image", "a red fox", "--modle", "grok-imagine-image")

    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "dave: error: No such option: --modle (Possible options: --model, --offline); "
        "see `dave image --help`"
    ]


def test_a_usage_error_with_json_prints_one_error_object(run_dave: RunDave) -> None:
    done = run_dave("image", "a red fox", "--json", "--bogus")

    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert len(done.stdout.splitlines()) == 1
    assert error["type"] == "UsageError"
    assert error["message"] == "No such option: --bogus (Possible options: --out)"
    assert len(done.stderr.splitlines()) == 1


def test_dave_version_prints_the_installed_version(run_dave: RunDave) -> None:
    from importlib.metadata import version

    for args in (["--version"], ["--version", "--help"]):
        done = run_dave(*args)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"dave {version('hello-dave')}\n"
        assert done.stderr == ""


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (["image"], "Usage: dave image [OPTIONS] PROMPT"),
        (["edit"], "Usage: dave edit [OPTIONS] [PROMPT]"),
        (["video"], "Usage: dave video [OPTIONS] PROMPT"),
        (["upscale"], "Usage: dave upscale [OPTIONS] [IMAGE]"),
        (["control"], "Usage: dave control [OPTIONS] [IMAGE] [PROMPT]"),
        (["lyrics"], "Usage: dave lyrics [OPTIONS] [PROMPT]"),
        (["chat"], "Usage: dave chat [OPTIONS] [PROMPT]"),
        (["jobs", "show"], "Usage: dave jobs show [OPTIONS] JOB_ID"),
        (["jobs", "resume"], "Usage: dave jobs resume [OPTIONS] [JOB_ID]"),
        (["sessions", "show"], "Usage: dave sessions show [OPTIONS] SESSION_ID"),
    ],
)
def test_usage_names_arguments_in_upper_case(
    run_dave: RunDave, command: list[str], usage: str
) -> None:
    done = run_dave(*command, "--help", env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})

    assert done.returncode == 0, done.stderr
    assert usage in done.stdout
    assert "{" not in done.stdout.split("Usage:")[1].splitlines()[0]


def test_every_argument_has_an_upper_case_metavar() -> None:
    import typer

    from dave.cli.app import app

    def walk(command: typer.core.TyperGroup | typer.core.TyperCommand) -> list[str]:
        found = [
            f"{command.name} {param.name}: {param.metavar!r}"
            for param in command.params
            if isinstance(param, typer.core.TyperArgument)
            and not (param.metavar and param.metavar.isupper())
        ]
        for sub in getattr(command, "commands", {}).values():
            found += walk(sub)
        return found

    assert walk(typer.main.get_command(app)) == []


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["jobs", "show", "j_nope"], "NotFound"),
        (["jobs", "wait", "j_nope"], "NotFound"),
        (["jobs", "cancel", "j_nope"], "NotFound"),
        (["jobs", "resume", "--resubmit"], "InvalidRequest"),
        (["assets", "show", "a_nope"], "NotFound"),
        (["sessions", "show", "s_nope"], "NotFound"),
        (["agents", "show", "nope"], "NotFound"),
        (["cost", "--by", "week"], "InvalidRequest"),
        (["image", "a lighthouse", "-n", "11", "--offline"], "InvalidRequest"),
    ],
)
def test_every_failing_command_with_json_prints_one_error_object(
    argv: list[str], kind: str, run_dave: RunDave
) -> None:
    done = run_dave(*argv, "--json")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    error = json.loads(lines[0])["error"]
    assert error["type"] == kind
    assert error["message"] and error["message"] in done.stderr
