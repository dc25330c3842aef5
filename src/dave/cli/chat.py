"""The bodies of `dave chat` and `dave code`: run an agent, stream its answer, ask before risky
tool calls, show each file change as a diff.

The answer goes to stdout (or one JSON object with `--json`); tool calls, diffs, assets,
approval questions and notes go to stderr. Not for the loop or sessions (dave.agents).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dave.agents.events import (
    AssetCreated,
    Done,
    ErrorEvent,
    Event,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from dave.cli.errors import fail
from dave.cli.output import console, emit_json
from dave.core.errors import ConfigError, DaveError, InvalidRequest

if TYPE_CHECKING:
    from dave.agents.manager import AgentManager
    from dave.agents.run import AgentRun
    from dave.tools import ApprovalRequest

EXIT_WORDS = ("/exit", "/quit")
_YES = ("y", "yes")


class TerminalInput:
    """Lines from a terminal, read in a daemon thread so the event loop never blocks on them.

    A read whose asker gave up (a cancelled run) is kept for the next asker, so a line typed
    is never lost, and a thread still waiting at exit does not hold the process.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdin
        self._pending: asyncio.Future[str] | None = None
        self._lock = asyncio.Lock()

    async def readline(self, prompt: str) -> str | None:
        """One line without its newline, or None at end of input."""
        async with self._lock:
            sys.stderr.write(prompt)
            sys.stderr.flush()
            if self._pending is None:
                self._pending = self._start_read()
            line = await asyncio.shield(self._pending)
            self._pending = None
            return None if line == "" else line.rstrip("\r\n")

    def _start_read(self) -> asyncio.Future[str]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()

        def read() -> None:
            try:
                line = self._stream.readline()
            except (OSError, ValueError):
                line = ""
            with contextlib.suppress(RuntimeError):  # the loop may be gone at exit
                loop.call_soon_threadsafe(_settle, future, line)

        threading.Thread(target=read, name="dave-stdin", daemon=True).start()
        return future


def _settle(future: asyncio.Future[str], line: str) -> None:
    if not future.done():
        future.set_result(line)


class Approver:
    """The answer to a tool call that needs approval: `--yes`, the person at the terminal, or
    (with no terminal to ask) a denial that says how to allow it."""

    def __init__(self, *, yes: bool, terminal: TerminalInput | None) -> None:
        self.yes = yes
        self.terminal = terminal

    async def __call__(self, request: ApprovalRequest) -> bool:
        if self.yes:
            return True
        if self.terminal is None:
            _say(
                f"[yellow]dave: denied {_esc(request.summary)}: stdin is not a terminal to ask; "
                "pass --yes to allow[/yellow]"
            )
            return False
        answer = await self.terminal.readline(f"dave: allow {request.summary}? [y/N] ")
        allowed = (answer or "").strip().lower() in _YES
        if not allowed:
            _say("[dim]denied[/dim]")
        return allowed


class Renderer:
    """Shows a run's events as they come: text on stdout, the rest on stderr."""

    def __init__(self, *, json_output: bool) -> None:
        self.json_output = json_output
        self.open_line = False  # stdout has text without its final newline
        self.tool_calls: dict[str, dict[str, Any]] = {}
        self.assets: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def show(self, event: Event) -> None:
        if isinstance(event, TextDelta):
            if not self.json_output:
                sys.stdout.write(event.text)
                sys.stdout.flush()
                self.open_line = not event.text.endswith("\n")
        elif isinstance(event, ToolCallStarted):
            self.tool_calls[event.call_id] = {
                "id": event.call_id,
                "name": event.name,
                "arguments": event.arguments,
            }
            self._note(f"[dim]→ {_esc(event.name)} {_esc(_brief(event.arguments))}[/dim]")
        elif isinstance(event, ToolCallFinished):
            self._finished(event)
        elif isinstance(event, AssetCreated):
            self.assets.append(event.asset)
            where = str(event.asset.get("path") or "")
            self._note(f"[green]asset {_esc(str(event.asset.get('id', '')))}[/green] {_esc(where)}")
        elif isinstance(event, ErrorEvent):
            self.errors.append(event.message)

    def _finished(self, event: ToolCallFinished) -> None:
        record = self.tool_calls.setdefault(
            event.call_id, {"id": event.call_id, "name": event.name, "arguments": {}}
        )
        record.update(content=event.content, is_error=event.is_error)
        if event.is_error:
            first = event.content.strip().splitlines()[0] if event.content.strip() else ""
            self._note(f"[red]✗ {_esc(event.name)}: {_esc(first[:200])}[/red]")
        if event.diff:
            self._end_line()
            show_diff(event.diff)

    def _note(self, markup: str) -> None:
        self._end_line()
        _say(markup)

    def _end_line(self) -> None:
        if self.open_line:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.open_line = False

    def finish(self) -> None:
        self._end_line()


def show_diff(diff: str) -> None:
    """A unified diff on stderr, coloured on a terminal."""
    from rich.text import Text

    text = Text()
    for line in diff.splitlines():
        style = ""
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        text.append(line + "\n", style=style)
    console().print(text, end="", soft_wrap=True)


def chat(
    prompt: str | None,
    *,
    agent: str | None,
    session: str | None,
    offline: bool,
    yes: bool,
    json_output: bool,
    workspace: Path | None = None,
    command: str = "chat",
) -> None:
    """One answer for `prompt`; an interactive session when there is none on a terminal; one
    turn per line of piped stdin (`--json`: all of stdin is one prompt, for one answer)."""
    interactive = prompt is None and sys.stdin.isatty()
    piped = prompt is None and not interactive and not json_output
    if prompt is None and not interactive and json_output:
        prompt = sys.stdin.read()
    if not interactive and not piped and not (prompt or "").strip():
        raise InvalidRequest("no prompt: give one, or pipe it on stdin")
    if interactive and json_output:
        raise InvalidRequest("--json needs a prompt (it prints one object for one answer)")
    try:
        asyncio.run(
            _main(
                prompt,
                agent=agent,
                session=session,
                offline=offline,
                yes=yes,
                json_output=json_output,
                workspace=workspace,
                command=command,
            )
        )
    except DaveError as error:
        if json_output:
            from dave.cli.output import error_object

            failure = error_object(error)
            if isinstance(error, RunFailed):
                failure["session_id"] = error.session_id
            emit_json({"error": failure})
        raise


async def _main(
    prompt: str | None,
    *,
    agent: str | None,
    session: str | None,
    offline: bool,
    yes: bool,
    json_output: bool,
    workspace: Path | None,
    command: str,
) -> None:
    from dave.agents.manager import AgentManager

    terminal = TerminalInput() if sys.stdin.isatty() else None
    approver = Approver(yes=yes, terminal=terminal)
    async with AgentManager(offline=offline, approve=approver, workspace=workspace) as manager:
        if command == "code":
            _check_a_coder(manager, agent or "code")
        if prompt is not None:
            done, renderer = await _one(manager, agent, prompt, session, json_output)
            _report(done, renderer, json_output=json_output, command=command)
            return
        if terminal is None:
            await _piped(manager, TerminalInput(), agent, session, command)
            return
        await _interactive(manager, terminal, agent, session, command)


def _check_a_coder(manager: AgentManager, agent: str) -> None:
    """Offline, the coding agent needs a model that can code: a local server (OPENAI_BASE_URL),
    or a scripted emulator (DAVE_EMULATOR_CONFIG, for tests); the emulator's own rule-based
    chat model only makes media, so it is refused rather than answering with a greeting."""
    if not manager.endpoint(manager.spec(agent)).offline:
        return
    from dave.emulator import EmulatorConfig

    config = EmulatorConfig.from_environment()
    if config is not None and config.chat_script:
        return
    raise ConfigError(
        "offline, `dave code` needs a local model server: set OPENAI_BASE_URL "
        "(e.g. http://localhost:11434/v1 for Ollama); the emulator's chat model cannot code"
    )


async def _one(
    manager: AgentManager,
    agent: str | None,
    prompt: str,
    session: str | None,
    json_output: bool,
) -> tuple[Done, Renderer]:
    run = manager.run(agent, prompt, session_id=session)
    renderer = Renderer(json_output=json_output)
    with _cancel_on_interrupt(run):
        async for event in run:
            renderer.show(event)
    renderer.finish()
    assert run.done is not None
    return run.done, renderer


async def _interactive(
    manager: AgentManager,
    terminal: TerminalInput,
    agent: str | None,
    session: str | None,
    command: str,
) -> None:
    from dave.agents.manager import DEFAULT_AGENT

    name = agent or (manager.sessions.get(session).agent if session else DEFAULT_AGENT)
    _say(
        f"[dim]dave {command} with {_esc(name)}: /exit or Ctrl-D to leave, "
        "Ctrl-C stops an answer[/dim]"
    )
    while True:
        line = await terminal.readline(f"{name}> " if sys.stderr.isatty() else "")
        if line is None or line.strip() in EXIT_WORDS:
            break
        if not line.strip():
            continue
        done, renderer = await _one(manager, agent, line, session, False)
        session = done.session_id
        _notes(done, renderer)
    if session:
        _say(f"[dim]session {session}: `dave {command} --session {session}` continues it[/dim]")


async def _piped(
    manager: AgentManager,
    lines: TerminalInput,
    agent: str | None,
    session: str | None,
    command: str,
) -> None:
    """Piped stdin: each line is one turn of the same session, as if typed; blank lines are
    skipped, and /exit or the end of input ends it. A turn that fails ends the run (exit 1)."""
    turns = 0
    while True:
        line = await lines.readline("")
        if line is None or line.strip() in EXIT_WORDS:
            break
        if not line.strip():
            continue
        done, renderer = await _one(manager, agent, line, session, False)
        turns += 1
        session = done.session_id
        if done.stop_reason in ("error", "cancelled"):
            _report(done, renderer, json_output=False, command=command)
            return
        _notes(done, renderer)
    if not turns:
        raise InvalidRequest("no prompt: give one, or pipe it on stdin")
    if session:
        _say(f"[dim]session {session}: `dave {command} --session {session} ...` continues it[/dim]")


class RunFailed(DaveError):
    """The run ended with an error; its session keeps what was done before it."""

    def __init__(self, message: str, session_id: str | None) -> None:
        super().__init__(message)
        self.session_id = session_id


def _report(done: Done, renderer: Renderer, *, json_output: bool, command: str = "chat") -> None:
    if done.stop_reason == "error":
        message = renderer.errors[-1] if renderer.errors else "the run failed"
        raise RunFailed(message, done.session_id)
    if json_output:
        emit_json(
            {
                "session_id": done.session_id,
                "text": done.text,
                "stop_reason": done.stop_reason,
                "tool_calls": list(renderer.tool_calls.values()),
                "assets": renderer.assets,
                "usage": done.usage,
                "cost_usd": done.cost_usd,
                "errors": renderer.errors,
            }
        )
    else:
        _notes(done, renderer)
        if done.session_id:
            _say(
                f"[dim]session {done.session_id}: "
                f"`dave {command} --session {done.session_id} ...` continues it[/dim]"
            )
    if done.stop_reason == "cancelled":
        fail("interrupted; the session keeps what was done so far", 130)


def _notes(done: Done, renderer: Renderer) -> None:
    if done.stop_reason in ("max_turns", "max_tool_calls", "budget"):
        why = {
            "max_turns": "it reached its limit of model turns",
            "max_tool_calls": "it reached its limit of tool calls",
            "budget": "it spent its budget",
        }[done.stop_reason]
        _say(f"[yellow]dave: the agent stopped: {why}[/yellow]")
    elif done.stop_reason == "cancelled":
        _say("[yellow]stopped[/yellow]")
    elif done.stop_reason == "error" and renderer.errors:
        _say(f"[red]dave: error: {_esc(renderer.errors[-1])}[/red]")


@contextlib.contextmanager
def _cancel_on_interrupt(run: AgentRun) -> Iterator[None]:
    """Ctrl-C stops the run (its calls are answered as cancelled), not the process."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, run.cancel)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def _brief(arguments: dict[str, Any]) -> str:
    parts = []
    for key, value in arguments.items():
        text = value if isinstance(value, str) else repr(value)
        text = " ".join(str(text).split())
        parts.append(f"{key}={text[:60] + '…' if len(text) > 60 else text}")
    line = " ".join(parts)
    return line if len(line) <= 160 else line[:159] + "…"


def _say(markup: str) -> None:
    """One note on stderr, never wrapped (a path or an id must stay copyable)."""
    console().print(markup, soft_wrap=True)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
