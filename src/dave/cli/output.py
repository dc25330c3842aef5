"""How commands speak: results on stdout (paths, or one JSON object), everything else on stderr.

Not for deciding what to show: commands pass what they have.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from dave.core.errors import DaveError
    from dave.media.events import StudioEvent


@cache
def console() -> Console:
    """Messages, progress and tables that are not results: stderr. Built on first use, so
    `--json` runs never import rich."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@cache
def stdout_console() -> Console:
    """Listings are results, so their tables go to stdout where a pipe can take them."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 240, soft_wrap=True)


def error_object(error: DaveError) -> dict[str, Any]:
    """What `--json` prints when a command fails (the one line still goes to stderr)."""
    return {
        "type": type(error).__name__,
        "message": error.message,
        "hint": error.hint,
        "job_id": error.job_id,
        "provider": getattr(error, "provider", None),
        "status": getattr(error, "status", None),
    }


_json_emitted = False


def emit_json(value: Any) -> None:
    global _json_emitted
    _json_emitted = True
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def json_emitted() -> bool:
    """Whether this run has printed its JSON object (`--json` prints exactly one)."""
    return _json_emitted


def start_run() -> None:
    """Forget an earlier run's output (commands run in one process, as tests do)."""
    global _json_emitted
    _json_emitted = False


def emit_line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# Joiners and emoji tag characters are format characters too, but emoji need them.
_KEEP_FORMAT = {0x200C, 0x200D, *range(0xE0020, 0xE0080)}


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(char: str) -> str:
    import unicodedata

    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and code not in _KEEP_FORMAT):
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return char


def printable(text: object, *, markup: bool = True, keep_lines: bool = False) -> str:
    """User text (a prompt, an error, a title) as human output may show it: control, bidi and
    other invisible format characters as escapes (`\\x1b`, `\\u202e`), so a prompt cannot
    recolour the terminal, reorder a line or break a table; and, for rich (`markup`), its
    square brackets escaped, so `[red]` in a prompt is text. `keep_lines` leaves newlines
    alone, for lyrics and messages. `--json` keeps text as it is."""
    if keep_lines:
        return "\n".join(printable(line, markup=markup) for line in str(text).split("\n"))
    shown = "".join(_shown(char) for char in str(text))
    if not markup:
        return shown
    from rich.markup import escape

    return escape(shown)


def amount_text(phase: str | None, completed: float, total: float | None) -> str:
    """The amount column of a job's progress line: a percent while the provider works on it,
    bytes only while its output downloads (rich's DownloadColumn does those), else nothing."""
    if phase == "poll" and total:
        return f"{min(100.0, max(0.0, 100 * completed / total)):.0f}%"
    return ""


@contextmanager
def progress_display(enabled: bool) -> Iterator[Any]:
    """A rich progress display on stderr fed by Studio events; a no-op handler when disabled."""
    if not enabled or not console().is_terminal:
        yield _quiet_handler
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class AmountColumn(ProgressColumn):
        """Percent while polling, bytes while downloading: a poll's 50 of 100 is no size."""

        def __init__(self) -> None:
            super().__init__()
            self.bytes = DownloadColumn()

        def render(self, task: Task) -> Text:
            phase = task.fields.get("phase")
            if phase == "download":
                return self.bytes.render(task)
            return Text(amount_text(phase, task.completed, task.total), style="progress.percentage")

    tasks: dict[str, Any] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        AmountColumn(),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    ) as progress:

        def handle(event: StudioEvent) -> None:
            key = event.job_id
            if key not in tasks:
                tasks[key] = progress.add_task(printable(key[:12]), total=None, phase=None)
            task = tasks[key]
            if event.kind == "state":
                progress.update(task, description=printable(f"{key[:12]} {event.state}"))
            elif event.kind == "progress" and event.progress is not None:
                progress.update(task, total=100, completed=event.progress, phase="poll")
            elif event.kind == "download":
                progress.update(
                    task, total=event.total_bytes, completed=event.done_bytes, phase="download"
                )
            progress.refresh()

        yield handle


def _quiet_handler(event: StudioEvent) -> None:
    if event.kind == "state" and event.message:
        console().print(f"[dim]{event.message}[/dim]")


def price_text(amount: float | None, unit: str | None, *, estimate: bool = False) -> str:
    """`$0.0200`, `8 credits`, `~$0.3000` for an estimate, or `-` when there is no price:
    as listings show a price."""
    from dave.media.prices import Charge, is_unit

    if amount is None or not is_unit(unit):
        return "-"
    text = Charge(amount, unit).text()
    return f"~{text}" if estimate else text


#: What a listing says of a job with no price: the provider documents none dave could find.
NO_PRICE = "no documented price"
ESTIMATE_NOTE = "~ marks an estimate: the list price rests on an assumption (`dave jobs show`)"


def job_price(job: Any) -> str:
    """A job's one figure, its list price when journaled, as a sentence part: `$0.0400`,
    `~$0.3000 (estimate)`, `no documented price`; with what the provider reported it charged
    beside it, labelled, when it reports that."""
    if job.price is None:
        text = NO_PRICE
    else:
        text = price_text(job.price, job.price_unit, estimate=job.price_estimate)
        if job.price_estimate:
            text += " (estimate)"
    who = "the emulator" if job.offline else job.provider
    if job.cost_usd is not None:
        text += f"; {who} reports ${job.cost_usd:.4f} charged"
    if job.offline:
        text += "; offline, not billed"
    return text
