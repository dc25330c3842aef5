"""User text in human output: a prompt with bidi and control characters, or rich markup, is
shown escaped in `jobs` and `assets` listings (and as it is with --json)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
from tests.cli.helpers import one_json

from dave.cli.output import printable

RunDave = Callable[..., subprocess.CompletedProcess[str]]

HOSTILE = "fox\u202eevil \x1b[31mred [red]x[/red]"
SHOWN = "fox\\u202eevil \\x1b[31mred [red]x[/red]"


def _assert_escaped(stdout: str) -> None:
    assert "\u202e" not in stdout and "\x1b" not in stdout, repr(stdout)
    assert SHOWN in stdout, stdout


@pytest.fixture
def hostile_job(run_dave: RunDave) -> dict[str, str]:
    done = run_dave("image", HOSTILE, "--offline", "--json")
    assert done.returncode == 0, done.stderr
    made = one_json(done.stdout)
    return {"job": made["job"]["id"], "asset": made["assets"][0]["id"]}


def test_jobs_show_escapes_the_prompt(run_dave: RunDave, hostile_job: dict[str, str]) -> None:
    done = run_dave("jobs", "show", hostile_job["job"])

    assert done.returncode == 0, done.stderr
    _assert_escaped(done.stdout)
    assert f"prompt: {SHOWN}\n" in done.stdout


def test_assets_list_and_show_escape_the_prompt(
    run_dave: RunDave, hostile_job: dict[str, str]
) -> None:
    for args in (["assets", "list"], ["assets", "show", hostile_job["asset"]]):
        done = run_dave(*args)
        assert done.returncode == 0, done.stderr
        _assert_escaped(done.stdout)


def test_json_keeps_the_prompt_as_it_is(run_dave: RunDave, hostile_job: dict[str, str]) -> None:
    shown = one_json(run_dave("jobs", "show", hostile_job["job"], "--json").stdout)
    assert shown["job"]["request"]["prompt"] == HOSTILE
    listed = one_json(run_dave("assets", "list", "--json").stdout)
    assert listed["assets"][0]["prompt"] == HOSTILE


def test_jobs_list_escapes_what_a_provider_or_a_journal_wrote(run_dave: RunDave) -> None:
    # The model name is checked before a job is made, so write one straight to the journal.
    from dave.core.settings import load_settings
    from dave.store import Store

    with Store.open(load_settings().home) as store:
        store.jobs.create("xai", "image", HOSTILE, {"kind": "image", "prompt": HOSTILE})
    done = run_dave("jobs", "list")

    assert done.returncode == 0, done.stderr
    _assert_escaped(done.stdout)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words", "plain words"),
        ("\u202e\u2066\u200f", "\\u202e\\u2066\\u200f"),
        ("a\x1b[2Jb\x07", "a\\x1b[2Jb\\x07"),
        ("two\nlines\ttab", "two\\nlines\\ttab"),
        ("[bold]loud[/bold]", "\\[bold]loud\\[/bold]"),
        ("👩\u200d👩\u200d👧 שלום", "👩\u200d👩\u200d👧 שלום"),
        ("\ud800", "\\ud800"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_can_keep_lines_and_leave_markup() -> None:
    assert printable("a\u202e\n[b]", markup=False, keep_lines=True) == "a\\u202e\n[b]"


def test_sessions_list_and_show_escape_what_was_said(run_dave: RunDave) -> None:
    assert run_dave("chat", "--offline", HOSTILE).returncode == 0
    listed = run_dave("sessions", "list")
    _assert_escaped(listed.stdout)
    session = one_json(run_dave("sessions", "list", "--json").stdout)["sessions"][0]["id"]
    shown = run_dave("sessions", "show", session)
    assert "\u202e" not in shown.stdout and "\x1b" not in shown.stdout
    assert f"  {SHOWN}" in shown.stdout
