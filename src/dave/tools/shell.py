"""The shell tool: one `/bin/sh -c` command in the workspace, with a timeout and an output cap.

What is checked, and what cannot be: the command always starts in the workspace, with the
provider keys taken out of its environment, no stdin, and its own process group (ended on
timeout, on cancel, and when the command finishes, so nothing it started in the background
lingers). A `cd` (or `pushd`) whose target can be read from the command line itself — `cd ..`,
`cd /etc`, `cd ~`, `cd link-to-outside` — is refused before anything runs when it would leave
the workspace. That is all: a shell is not a sandbox. `cat /etc/passwd`, `cd "$X"`, `python -c
...` or a script can still read and write outside the workspace, which is why the tool needs a
person's approval (`--yes` gives it for the whole run). Not for long-running servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import shlex
import signal
from pathlib import Path
from typing import Annotated

from pydantic import Field

from dave.core.errors import InvalidRequest, NotFound
from dave.tools.base import ToolContext, ToolResult, ToolSet, tool

OUTPUT_CAP_BYTES = 64 * 1024
DEFAULT_TIMEOUT_S = 120.0
MAX_TIMEOUT_S = 600.0
#: Taken out of the command's environment: a command the model wrote never sees a key.
SECRET_VARIABLES = frozenset(
    {"XAI_API_KEY", "MINIMAX_API_KEY", "STABILITY_API_KEY", "OPENAI_API_KEY"}
)
# After the shell exits, how long children it left behind may keep the output pipe open.
_EXIT_GRACE_S = 0.3
_READ_CHUNK = 64 * 1024
# Tokens after which the next word is a command name again.
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", "\n", "|&", ";;"})
_PREFIXES = frozenset({"then", "do", "else", "elif", "{", "!", "time", "if", "while", "until"})
_DYNAMIC = frozenset("$`*?[")
_PUNCTUATION = "();<>|&\n"
_OPERATOR = re.compile(r"&&|\|\||;;|\|&|>>|<<|<>|>&|<&|>\||[();<>|&\n]")
_REDIRECTS = frozenset({"<", ">", ">>", "<<", "<>", ">&", "<&", ">|"})


def sanitized_env(workspace: Path) -> dict[str, str]:
    """The environment a command runs with: dave's own, minus every provider key."""
    # Every provider's key variable ends so (core/settings.key_variable).
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SECRET_VARIABLES and not name.endswith("_API_KEY")
    }
    env.pop("OLDPWD", None)
    env["PWD"] = str(workspace)
    return env


def check_cd_targets(command: str, workspace: Path) -> None:
    """Refuses a command whose `cd`/`pushd` to a target written out in it leaves the workspace.

    The directory the shell is in is followed through the command: a `cd` to an existing
    directory moves it, one inside `( )`, a pipeline or `&` does not last, and a `cd` to a
    directory that does not exist yet may or may not have happened, so both places are kept
    and a later `cd ..` must stay inside from each. A target the shell computes (`cd "$DIR"`,
    `cd $(...)`) cannot be checked here; after one, relative targets are unknown as well.
    Approval is the guard for those.
    """
    root = workspace.resolve()
    try:
        tokens = _tokens(command)
    except ValueError as error:  # unbalanced quotes: sh would refuse it too
        raise InvalidRequest(f"cannot parse the command: {error}") from None
    places, unknown = {root}, False
    saved: list[tuple[set[Path], bool]] = []
    for words, before, after in _simple_commands(tokens):
        if before == "(":
            saved.append((set(places), unknown))
        words = list(itertools.dropwhile(lambda word: word in _PREFIXES, words))
        if words and words[0] in ("cd", "pushd"):
            lasting = before not in ("|", "|&") and after not in ("|", "|&", "&")
            places, unknown = _follow_cd(words, root, places, unknown, lasting=lasting)
        if after == ")" and saved:
            places, unknown = saved.pop()


def _simple_commands(tokens: list[str]) -> list[tuple[list[str], str | None, str | None]]:
    """(words, separator before, separator after) for each simple command."""
    commands: list[tuple[list[str], str | None, str | None]] = []
    words: list[str] = []
    before = None
    for token in tokens:
        if token in _SEPARATORS:
            commands.append((words, before, token))
            words, before = [], token
        else:
            words.append(token)
    commands.append((words, before, None))
    return commands


def _follow_cd(
    words: list[str], root: Path, places: set[Path], unknown: bool, *, lasting: bool
) -> tuple[set[Path], bool]:
    """Checks one `cd` from every place the shell may be in; returns where it may be after."""
    args = [word for word in words[1:] if word not in _REDIRECTS]
    target = next((a for a in args if not (a.startswith("-") and a != "-")), None)
    if target == "-":
        return places, unknown  # back to where it was: already checked
    target = "~" if target is None else target
    if _DYNAMIC & set(target):
        return places, unknown or lasting
    expanded = os.path.expanduser(target)
    if not os.path.isabs(expanded) and unknown:
        return places, unknown
    arrived = {_resolve(place, expanded) for place in places}
    for place in arrived:
        if not place.is_relative_to(root):
            written = " ".join(words[:1] + args[:1])
            where = "the home directory" if expanded == os.path.expanduser("~") else place
            raise InvalidRequest(
                f"refused: `{written}` would leave the workspace (to {where}); commands "
                "run in the workspace: use paths inside it"
            )
    if not lasting:
        return places, unknown
    if all(place.is_dir() for place in arrived):
        return arrived, unknown
    return places | arrived, unknown


def _tokens(command: str) -> list[str]:
    """Words and operators; shlex gives a run of operator characters (`);`) as one token."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = "#"
    tokens: list[str] = []
    for token in lexer:
        if token and all(char in _PUNCTUATION for char in token):
            tokens += _OPERATOR.findall(token)
        else:
            tokens.append(token)
    return tokens


def _resolve(place: Path, target: str) -> Path:
    try:
        return Path(os.path.normpath(place / target)).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.normpath(place / target))


class _Capture:
    """Keeps the first and the last half of the cap; counts everything."""

    def __init__(self, cap: int) -> None:
        self.half = cap // 2
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.half - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        self.tail += chunk
        if len(self.tail) > self.half:
            del self.tail[: len(self.tail) - self.half]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.head) + len(self.tail)

    def text(self) -> str:
        head = self.head.decode("utf-8", errors="replace")
        tail = self.tail.decode("utf-8", errors="replace")
        if not self.truncated:
            return head + tail
        omitted = self.total - len(self.head) - len(self.tail)
        return f"{head}\n[... {omitted:,} bytes omitted ...]\n{tail}"


def _end_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_in_workspace(
    command: str, workspace: Path, *, timeout_s: float, output_cap: int = OUTPUT_CAP_BYTES
) -> tuple[int | None, str, bool, bool]:
    """Runs `command` with cwd = workspace: (exit code or None, output, timed out, truncated)."""
    process = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        command,
        cwd=workspace,
        env=sanitized_env(workspace),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    capture = _Capture(output_cap)
    stdout = process.stdout
    assert stdout is not None  # stdout=PIPE above

    async def pump() -> None:
        while chunk := await stdout.read(_READ_CHUNK):
            capture.add(chunk)

    reader = asyncio.create_task(pump())
    try:
        timed_out = not await _wait_for_end(process, reader, timeout_s)
    finally:
        _end_group(process.pid)
        try:
            # A child that left the group (setsid) may hold the pipe on: do not wait forever.
            await asyncio.wait({reader}, timeout=5)
            if process.returncode is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 5)
        finally:
            reader.cancel()
    code = None if timed_out else process.returncode
    return code, capture.text(), timed_out, capture.truncated


async def _wait_for_end(
    process: asyncio.subprocess.Process, reader: asyncio.Task[None], timeout_s: float
) -> bool:
    """True once the command has ended, False at the timeout.

    `process.wait()` alone would also wait for every child still holding the output pipe
    (`sleep 60 &`), so the exit is watched through `returncode` while the output is open.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    step = 0.005
    while True:
        remaining = deadline - loop.time()
        if reader.done():  # the output is closed: now wait() waits for the process alone
            try:
                await asyncio.wait_for(process.wait(), max(remaining, 0))
            except TimeoutError:
                return False
            return True
        if process.returncode is not None:
            # Ended, but something it started still holds the output: a moment, then it ends.
            await asyncio.wait({reader}, timeout=_EXIT_GRACE_S)
            return True
        if remaining <= 0:
            return False
        await asyncio.wait({reader}, timeout=min(step, remaining))
        step = min(step * 2, 0.25)


def _summary(arguments: dict[str, object]) -> str:
    return f"run in the workspace: {arguments.get('command')}"


@tool(needs_approval=True, summarize=_summary)
async def run_command(
    ctx: ToolContext,
    command: str,
    timeout_s: Annotated[float, Field(gt=0, le=MAX_TIMEOUT_S)] = DEFAULT_TIMEOUT_S,
) -> ToolResult:
    """Run a shell command (/bin/sh -c) in the workspace and return its exit code and output.

    stdout and stderr come back together, at most 64 kB (the start and the end of longer
    output). There is no stdin. A `cd` out of the workspace is refused; processes left in the
    background are ended when the command finishes.

    Args:
        command: The command line, such as `pytest -q` or `ls src && cat README.md`.
        timeout_s: Seconds before the command and everything it started are killed.
    """
    root = ctx.workspace.resolve()
    if not root.is_dir():
        raise NotFound(f"the workspace {ctx.workspace} is not a directory")
    if not command.strip():
        raise InvalidRequest("the command is empty")
    check_cd_targets(command, root)
    code, output, timed_out, truncated = await run_in_workspace(command, root, timeout_s=timeout_s)
    if timed_out:
        head = f"timed out after {timeout_s:g}s; the command and its children were killed"
    elif code is not None and code < 0:
        head = f"killed by signal {-code}"
    else:
        head = f"exit code {code}"
    if truncated:
        head += f" (output over {OUTPUT_CAP_BYTES // 1024} kB: the middle is left out)"
    body = output if output else "(no output)\n"
    return ToolResult(f"{head}\n{body}", is_error=timed_out)


def shell_tools() -> ToolSet:
    """run_command (needs approval)."""
    return ToolSet("shell", [run_command])
