"""`dave --version`: what it prints, for the start-up fast path (entry) and the typer app alike.
Imports nothing of dave's beyond the package itself."""

from __future__ import annotations


def version_text() -> str:
    """`dave 0.1.0`: the installed distribution's version, or the package's own when dave runs
    from a source tree that was never installed."""
    from importlib import metadata

    try:
        version = metadata.version("hello-dave")
    except metadata.PackageNotFoundError:
        import dave

        version = getattr(dave, "__version__", "unknown")
    return f"dave {version}"
