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
    "args",
    [
        ("image", "a red fox", "--bogus"),
        ("image",),
        ("video", "a fox", "--duration", "many"),
        ("jobs", "frobnicate"),
    ],
    ids=["unknown option", "missing prompt", "non-integer duration", "unknown subcommand"],
)
def test_usage_errors_exit_2_without_a_traceback(run_dave: RunDave, args: tuple[str, ...]) -> None:
    done = run_dave(*args)

    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert "Usage" in done.stderr


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
