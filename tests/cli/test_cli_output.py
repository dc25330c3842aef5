"""How human output looks: the progress line of a job, and user text made safe to print."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from dave.cli import output
from dave.media.events import StudioEvent


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """stderr as a 100-column terminal without colour, captured."""
    screen = io.StringIO()
    fake = Console(file=screen, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(output, "console", lambda: fake)
    return screen


def test_a_polled_video_shows_its_state_and_a_percent_not_bytes(terminal: io.StringIO) -> None:
    with output.progress_display(True) as handle:
        handle(StudioEvent("j_0123456789abcdef", "state", state="submitted"))
        handle(StudioEvent("j_0123456789abcdef", "progress", progress=50))
    shown = terminal.getvalue()
    assert "j_0123456789 submitted" in shown
    assert "50%" in shown
    assert "50/100" not in shown
    assert "bytes" not in shown


def test_a_download_shows_bytes(terminal: io.StringIO) -> None:
    with output.progress_display(True) as handle:
        handle(StudioEvent("j_0123456789abcdef", "progress", progress=100))
        handle(StudioEvent("j_0123456789abcdef", "state", state="downloading"))
        handle(
            StudioEvent("j_0123456789abcdef", "download", done_bytes=10**6, total_bytes=2 * 10**6)
        )
    shown = terminal.getvalue()
    assert "j_0123456789 downloading" in shown
    assert "1.0/2.0 MB" in shown


@pytest.mark.parametrize(
    ("phase", "completed", "total", "text"),
    [("poll", 50, 100, "50%"), ("poll", 0, 100, "0%"), ("poll", 3, None, ""), (None, 0, None, "")],
)
def test_the_amount_column(
    phase: str | None, completed: float, total: float | None, text: str
) -> None:
    assert output.amount_text(phase, completed, total) == text
