"""The shell tool with real subprocesses: it starts in the workspace, refuses a `cd` out of
it, keeps provider keys from the command, caps output, and kills what overstays."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dave.core.errors import InvalidRequest
from dave.tools import ToolContext, ToolResult, shell_tools
from dave.tools.shell import OUTPUT_CAP_BYTES, check_cd_targets, sanitized_env

if TYPE_CHECKING:
    from tests.tools.conftest import Approvals

SHELL = shell_tools()


async def run(ctx: ToolContext, command: str, **extra: object) -> ToolResult:
    return await SHELL.call("run_command", {"command": command, **extra}, ctx)


async def test_a_command_starts_in_the_workspace(ctx: ToolContext, workspace: Path) -> None:
    result = await run(ctx, "pwd && ls")
    assert result == ToolResult(f"exit code 0\n{workspace.resolve()}\nREADME.md\nsrc\n")


async def test_cd_dotdot_is_refused_and_nothing_runs(
    ctx: ToolContext, workspace: Path, tmp_path: Path
) -> None:
    result = await run(ctx, "cd .. && pwd && touch escaped")

    assert result.is_error
    assert result.content == (
        f"refused: `cd ..` would leave the workspace (to {tmp_path.resolve()}); "
        "commands run in the workspace: use paths inside it"
    )
    assert not (tmp_path / "escaped").exists()


async def test_cd_inside_the_workspace_is_allowed_and_reported_from_there(
    ctx: ToolContext, workspace: Path
) -> None:
    result = await run(ctx, "cd src/pkg && pwd && cd ../.. && pwd")
    root = workspace.resolve()
    assert result.content == f"exit code 0\n{root / 'src' / 'pkg'}\n{root}\n"


@pytest.mark.parametrize(
    "command",
    [
        "cd ..",
        "cd /",
        "cd /etc; cat passwd",
        "cd",
        "cd ~",
        "cd ~/.ssh",
        "ls; cd ../..",
        "echo hi\ncd ..",
        "true && cd src && cd ../..",
        "(cd src); cd ../x",
        "(cd src) | cat; cd ..",
        "if true; then cd ..; fi",
        "cd -P ..",
        "pushd ..",
        "cd out-dir",
        "cd out-dir/sub",
        "cd src && cd ../../outside",
    ],
)
def test_static_cd_targets_that_leave_the_workspace_are_refused(
    workspace: Path, outside: Path, command: str
) -> None:
    (workspace / "out-dir").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidRequest, match="would leave the workspace"):
        check_cd_targets(command, workspace)


@pytest.mark.parametrize(
    "command",
    [
        "cd src",
        "cd src/pkg && cd ../..",
        "cd ./src/../src",
        "echo cd ..",
        "echo 'cd ..'",
        "git log -- ..",
        "cd src # cd ..",
        "cd -",
        'cd "$SOMEWHERE"',
        "cd $(mktemp -d)",
    ],
)
def test_commands_that_stay_or_cannot_be_known_are_not_refused(
    workspace: Path, command: str
) -> None:
    check_cd_targets(command, workspace)  # no exception


async def test_provider_keys_never_reach_the_command(
    ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("XAI_API_KEY", "MINIMAX_API_KEY", "STABILITY_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.setenv(name, f"secret-{name.lower()}")
    monkeypatch.setenv("SOME_VENDOR_API_KEY", "secret-vendor")
    monkeypatch.setenv("HARMLESS", "visible")

    result = await run(ctx, "env")

    assert "secret-" not in result.content
    assert "HARMLESS=visible" in result.content
    env = sanitized_env(ctx.workspace)
    assert "XAI_API_KEY" not in env and env["PWD"] == str(ctx.workspace)


async def test_exit_code_and_stderr_come_back(ctx: ToolContext) -> None:
    result = await run(ctx, "echo out; echo err >&2; exit 3")
    assert result == ToolResult("exit code 3\nout\nerr\n")


async def test_no_output_says_so_and_stdin_is_empty(ctx: ToolContext) -> None:
    assert (await run(ctx, "cat")).content == "exit code 0\n(no output)\n"


async def test_long_output_keeps_its_start_and_end_and_says_it_was_cut(ctx: ToolContext) -> None:
    result = await run(ctx, "seq 1 100000")
    head, rest = result.content.split("\n", 1)
    assert head == "exit code 0 (output over 64 kB: the middle is left out)"
    assert rest.startswith("1\n2\n3\n")
    assert rest.endswith("99999\n100000\n")
    total = len("".join(f"{i}\n" for i in range(1, 100001)))
    assert f"[... {total - OUTPUT_CAP_BYTES:,} bytes omitted ...]" in rest
    assert len(rest.encode()) < OUTPUT_CAP_BYTES + 200


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def test_a_timeout_kills_the_command_and_its_children(
    ctx: ToolContext, workspace: Path
) -> None:
    started = time.monotonic()
    result = await run(ctx, "sleep 30 & echo $! > child.pid; echo started; wait", timeout_s=0.5)

    assert time.monotonic() - started < 5
    assert result == ToolResult(
        "timed out after 0.5s; the command and its children were killed\nstarted\n",
        is_error=True,
    )
    child = int((workspace / "child.pid").read_text())
    deadline = time.monotonic() + 2
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(child)


async def test_background_processes_end_with_the_command(ctx: ToolContext, workspace: Path) -> None:
    started = time.monotonic()
    result = await run(ctx, "sleep 30 & echo $! > bg.pid; echo done")
    assert result.content == "exit code 0\ndone\n"
    assert time.monotonic() - started < 5
    child = int((workspace / "bg.pid").read_text())
    deadline = time.monotonic() + 2
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(child)


async def test_the_shell_needs_approval_and_a_denial_runs_nothing(
    workspace: Path, tmp_path: Path
) -> None:
    assert SHELL.get("run_command").needs_approval  # type: ignore[union-attr]
    result = await run(ToolContext(workspace), "touch ran")
    assert result == ToolResult("denied by the user", is_error=True)
    assert not (workspace / "ran").exists()


async def test_the_approval_prompt_shows_the_command(
    ctx: ToolContext, approvals: Approvals
) -> None:
    await run(ctx, "make -s test 2>/dev/null")
    assert [(r.tool, r.summary) for r in approvals.asked] == [
        ("run_command", "run in the workspace: make -s test 2>/dev/null")
    ]
    assert approvals.asked[0].arguments == {
        "command": "make -s test 2>/dev/null",
        "timeout_s": 120.0,
    }


async def test_bad_timeouts_and_empty_commands_are_refused(ctx: ToolContext) -> None:
    too_long = await run(ctx, "true", timeout_s=601)
    assert too_long.is_error and "timeout_s" in too_long.content
    assert (await run(ctx, "   ")).content == "the command is empty"
    unbalanced = await run(ctx, "echo 'open")
    assert unbalanced.content == "cannot parse the command: No closing quotation"
