"""dave's version, read once from one place: the installed distribution's metadata, or (a source
tree that was never installed) pyproject.toml beside `src/`. Both `dave.__version__` and
`dave --version` use it. Imports nothing of dave's."""

from __future__ import annotations

from pathlib import Path

#: The distribution dave is published as (pyproject's `project.name`).
DISTRIBUTION = "hello-dave"
#: What a copy of the package with neither metadata nor its pyproject.toml reports.
UNKNOWN = "0+unknown"


def package_version() -> str:
    """The installed distribution's version, else the source tree's pyproject version."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _source_tree_version()


def _source_tree_version() -> str:
    import tomllib

    # src/dave/core/version.py → the project root holds pyproject.toml.
    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return UNKNOWN
    version = project.get("version")
    if project.get("name") != DISTRIBUTION or not isinstance(version, str):
        return UNKNOWN
    return version


__version__ = package_version()
