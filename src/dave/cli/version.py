"""`dave --version`: what it prints, for the start-up fast path (entry) and the typer app alike.
Imports nothing of dave's beyond dave.core.version, the one place the version is read."""

from __future__ import annotations


def version_text() -> str:
    """`dave 0.1.0`: the installed distribution's version, or the source tree's pyproject
    version when dave runs from a checkout that was never installed."""
    from dave.core.version import __version__

    return f"dave {__version__}"
