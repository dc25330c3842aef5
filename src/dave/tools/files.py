"""The files tools: read, write, edit, list, glob and grep, each confined to the workspace.

Every path is taken relative to the workspace and resolved (symlinks included) before use; an
absolute path, a `..` that climbs out, or a symlink that leads out is refused. Not a sandbox
for anything else: the shell tool can still reach outside (see shell.py).
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dave.core.errors import InvalidRequest, NotFound
from dave.tools.base import ToolContext, ToolResult, ToolSet, tool

READ_CAP_BYTES = 256 * 1024
#: A diff longer than this is cut in what the model reads (ToolResult.diff keeps it whole).
DIFF_CAP_CHARS = 64 * 1024
LIST_CAP = 500
GLOB_CAP = 500
GREP_CAP = 200
GREP_LINE_CHARS = 300
GREP_FILE_CAP_BYTES = 2 * 1024 * 1024
#: glob and grep stop walking after this many entries, so a huge tree cannot stall a turn.
WALK_CAP = 50_000
#: Directories glob and grep do not descend into (they are still listed, and searchable when
#: named as the path to search).
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
    }
)
_BINARY_PROBE = 8192


# --- confinement ---------------------------------------------------------------------------


def confine(workspace: Path, path: str) -> Path:
    """The real path `path` names inside the workspace; InvalidRequest if it leads out.

    Symlinks are resolved first, so a link inside the workspace pointing outside is refused
    whatever it is called. A path that does not exist yet is fine (write_file creates it).
    """
    root = workspace.resolve()
    if not path.strip():
        raise InvalidRequest("path is empty; use '.' for the workspace itself")
    if "\x00" in path:
        raise InvalidRequest("path contains a NUL character")
    given = Path(path)
    if given.is_absolute():
        raise InvalidRequest(f"{path!r} is an absolute path; give a path relative to the workspace")
    if given.parts and given.parts[0].startswith("~"):
        raise InvalidRequest(f"{path!r} names a home directory, outside the workspace")
    try:
        resolved = (root / given).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise InvalidRequest(f"cannot resolve {path!r}: {error}") from None
    if resolved.is_relative_to(root):
        return resolved
    if not Path(os.path.normpath(root / given)).is_relative_to(root):
        raise InvalidRequest(f"{path!r} leads outside the workspace (through '..')")
    raise InvalidRequest(f"{path!r} leads outside the workspace through a symlink")


def shown(root: Path, path: Path) -> str:
    """A path as the model should write it: relative to the workspace, '/'-separated."""
    return path.relative_to(root).as_posix() or "."


def _root(ctx: ToolContext) -> Path:
    root = ctx.workspace.resolve()
    if not root.is_dir():
        raise NotFound(f"the workspace {ctx.workspace} is not a directory")
    return root


def _existing_file(root: Path, path: str) -> Path:
    target = confine(root, path)
    if not target.exists():
        raise NotFound(f"no file {path!r} in the workspace")
    if target.is_dir():
        raise InvalidRequest(f"{path!r} is a directory; use list_dir")
    if not target.is_file():
        raise InvalidRequest(f"{path!r} is not a regular file")
    return target


def _is_binary(target: Path) -> bool:
    with target.open("rb") as file:
        return b"\x00" in file.read(_BINARY_PROBE)


def _read_text(target: Path, path: str) -> str:
    if target.stat().st_size > READ_CAP_BYTES * 16:
        raise InvalidRequest(f"{path!r} is too large to edit here ({target.stat().st_size:,} B)")
    data = target.read_bytes()
    if b"\x00" in data[:_BINARY_PROBE]:
        raise InvalidRequest(f"{path!r} is a binary file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{path!r} is not UTF-8 text") from None


def _write_atomically(target: Path, text: str) -> None:
    """Readers never see half a file; an existing file keeps its permissions."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def unified_diff(old: str, new: str, name: str, *, created: bool = False) -> str:
    """The change as `git diff` shows it (`a/name` → `b/name`, `/dev/null` for a new file)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        "/dev/null" if created else f"a/{name}",
        f"b/{name}",
    )
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def _change_result(headline: str, diff: str) -> ToolResult:
    text = diff if len(diff) <= DIFF_CAP_CHARS else diff[:DIFF_CAP_CHARS] + "\n[diff cut here]\n"
    return ToolResult(f"{headline}\n{text}" if text else f"{headline} (no change)", diff=diff)


# --- the tools ------------------------------------------------------------------------------


@tool
def read_file(
    ctx: ToolContext, path: str, start_line: int = 1, max_lines: int | None = None
) -> str:
    """Read a text file in the workspace, exactly as it is (up to 256 kB per call).

    Args:
        path: The file, relative to the workspace.
        start_line: The first line to show, counting from 1.
        max_lines: How many lines to show at most; unset shows as many as fit.
    """
    root = _root(ctx)
    target = _existing_file(root, path)
    if start_line < 1:
        raise InvalidRequest("start_line counts from 1")
    if _is_binary(target):
        size = target.stat().st_size
        return f"{shown(root, target)} is a binary file ({size:,} bytes); not shown"
    chunks: list[str] = []
    used = 0
    number = 0
    more = False
    with target.open("rb") as file:
        while True:
            raw = file.readline(READ_CAP_BYTES + 1)
            if not raw:
                break
            number += 1
            if number < start_line:
                continue
            if (max_lines is not None and number >= start_line + max_lines) or (
                used + len(raw) > READ_CAP_BYTES
            ):
                more = True
                break
            chunks.append(raw.decode("utf-8", errors="replace"))
            used += len(raw)
    text = "".join(chunks)
    last = start_line + len(chunks) - 1
    if not chunks and number < start_line:
        if number == 0:
            return f"{shown(root, target)} is empty"
        return f"{shown(root, target)} has {number} lines; start_line {start_line} is past the end"
    if more:
        note = f"lines {start_line}-{last} shown; more follow: read on with start_line={last + 1}"
        return f"{text}{'' if text.endswith(chr(10)) else chr(10)}[{note}]"
    return text


def _summary_write(arguments: dict[str, object]) -> str:
    return f"write {arguments.get('path')} ({len(str(arguments.get('content', ''))):,} chars)"


def _summary_edit(arguments: dict[str, object]) -> str:
    old = str(arguments.get("old", "")).splitlines() or [""]
    return f"edit {arguments.get('path')}: replace {len(old)} line(s) starting {old[0][:60]!r}"


@tool(needs_approval=True, summarize=_summary_write)
def write_file(ctx: ToolContext, path: str, content: str) -> ToolResult:
    """Create a file in the workspace, or replace all of an existing file's text.

    Missing parent directories are created. The result shows the change as a diff.

    Args:
        path: The file, relative to the workspace.
        content: The whole new text of the file.
    """
    root = _root(ctx)
    target = confine(root, path)
    if target.is_dir():
        raise InvalidRequest(f"{path!r} is a directory")
    created = not target.exists()
    old = "" if created else _read_text(target, path)
    _write_atomically(target, content)
    name = shown(root, target)
    size = len(content.encode("utf-8"))
    headline = f"{'created' if created else 'wrote'} {name} ({size:,} bytes)"
    return _change_result(headline, unified_diff(old, content, name, created=created))


@tool(needs_approval=True, summarize=_summary_edit)
def edit_file(ctx: ToolContext, path: str, old: str, new: str) -> ToolResult:
    """Replace one exact piece of text in a file with new text.

    `old` must occur exactly once in the file, whitespace and indentation included: copy it
    from read_file and add surrounding lines if it is not unique. The result shows the diff.

    Args:
        path: The file, relative to the workspace.
        old: The exact text to replace; it must occur once in the file.
        new: The text to put in its place.
    """
    root = _root(ctx)
    target = _existing_file(root, path)
    if not old:
        raise InvalidRequest("old is empty; to create or rewrite a whole file use write_file")
    if old == new:
        raise InvalidRequest("old and new are the same; nothing to change")
    text = _read_text(target, path)
    name = shown(root, target)
    count = text.count(old)
    if count == 0:
        raise InvalidRequest(
            f"old text not found in {name}; read_file it again and copy the text exactly, "
            "whitespace included"
        )
    if count > 1:
        raise InvalidRequest(
            f"old text found {count} times in {name}; include more of the surrounding lines "
            "so it matches once"
        )
    changed = text.replace(old, new, 1)
    _write_atomically(target, changed)
    return _change_result(f"edited {name}", unified_diff(text, changed, name))


@tool
def list_dir(ctx: ToolContext, path: str = ".") -> str:
    """List a directory in the workspace: subdirectories end in '/', files show their size.

    Args:
        path: The directory, relative to the workspace.
    """
    root = _root(ctx)
    target = confine(root, path)
    if not target.exists():
        raise NotFound(f"no directory {path!r} in the workspace")
    if not target.is_dir():
        raise InvalidRequest(f"{path!r} is a file; use read_file")
    entries = sorted(os.scandir(target), key=lambda entry: entry.name)
    lines = []
    for entry in entries[:LIST_CAP]:
        lines.append(_entry_line(root, entry))
    if len(entries) > LIST_CAP:
        lines.append(f"[{len(entries) - LIST_CAP} more entries not shown]")
    heading = f"{shown(root, target)}: {len(entries)} entries"
    return "\n".join([heading, *lines]) if lines else f"{shown(root, target)} is empty"


def _entry_line(root: Path, entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        link = os.readlink(entry.path)
        try:
            inside = Path(entry.path).resolve().is_relative_to(root)
        except (OSError, RuntimeError):
            inside = False
        return f"{entry.name} -> {link}" + ("" if inside else " (outside the workspace)")
    if entry.is_dir():
        return f"{entry.name}/"
    try:
        return f"{entry.name}  {entry.stat().st_size:,} B"
    except OSError:
        return entry.name


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`*` and `?` stay within one path segment, `**` spans any number of directories."""
    segments = [s for s in pattern.split("/") if s not in ("", ".")]
    regex = ""
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
            continue
        regex += _segment_regex(segment) + ("" if last else "/")
    return re.compile(regex, re.DOTALL)


def _segment_regex(segment: str) -> str:
    out = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in segment[index + 2 :]:
            end = segment.index("]", index + 2)
            body = segment[index + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _walk(top: Path) -> Iterator[tuple[Path, bool] | None]:
    """(path, is_dir) under `top`, sorted, not following symlinked directories, skipping
    SKIPPED_DIRS; a None at the end means the walk stopped at WALK_CAP."""
    seen = 0
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        base = Path(directory)
        for name in dirnames:
            yield base / name, True
        for name in sorted(filenames):
            yield base / name, False
        seen += len(dirnames) + len(filenames)
        if seen >= WALK_CAP:
            yield None
            return


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False


@tool(name="glob")
def glob_files(ctx: ToolContext, pattern: str, path: str = ".") -> str:
    """Find files and directories by name pattern, such as `**/*.py` or `src/*.toml`.

    `*` and `?` match within one name, `**` matches any number of directories. Paths come back
    relative to the workspace, sorted.

    Args:
        pattern: The pattern, relative to `path`.
        path: The directory to search in, relative to the workspace.
    """
    root = _root(ctx)
    if pattern.startswith("/") or ".." in pattern.split("/"):
        raise InvalidRequest(
            "the pattern must stay inside the search directory (no leading '/', no '..')"
        )
    top = confine(root, path)
    if not top.is_dir():
        raise InvalidRequest(f"{path!r} is not a directory")
    regex = _glob_regex(pattern)
    found: list[str] = []
    total = 0
    stopped = False
    for item in _walk(top):
        if item is None:
            stopped = True
            break
        candidate, _ = item
        if regex.fullmatch(candidate.relative_to(top).as_posix()) and _inside(root, candidate):
            total += 1
            if len(found) < GLOB_CAP:
                found.append(shown(root, candidate))
    lines = found or [f"no matches for {pattern!r} in {shown(root, top)}"]
    if total > GLOB_CAP:
        lines.append(f"[{total - GLOB_CAP} more matches not shown; narrow the pattern]")
    if stopped:
        lines.append(f"[search stopped after {WALK_CAP:,} entries; search a smaller directory]")
    return "\n".join(lines)


@tool(name="grep")
def grep_files(
    ctx: ToolContext,
    pattern: str,
    path: str = ".",
    include: str | None = None,
    ignore_case: bool = False,
) -> str:
    """Search text files for a regular expression (Python syntax); one line per match, as
    `path:line: text`.

    Args:
        pattern: The regular expression, such as `def \\w+_tool` or `TODO`.
        path: A file or directory to search, relative to the workspace.
        include: Only files whose path (relative to `path`) matches this glob, such as `**/*.py`.
        ignore_case: Match letters regardless of case.
    """
    root = _root(ctx)
    try:
        regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as error:
        raise InvalidRequest(f"{pattern!r} is not a valid regular expression: {error}") from None
    top = confine(root, path)
    if not top.exists():
        raise NotFound(f"no file or directory {path!r} in the workspace")
    only = _glob_regex(include) if include else None
    if top.is_file():
        files: Iterator[tuple[Path, bool] | None] = iter([(top, False)])
    else:
        files = _walk(top)
    matches: list[str] = []
    total = 0
    stopped = False
    for item in files:
        if item is None:
            stopped = True
            break
        candidate, is_dir = item
        if is_dir or not _inside(root, candidate):
            continue
        if only is not None and not only.fullmatch(candidate.relative_to(top).as_posix()):
            continue
        for number, line in _text_lines(candidate):
            if regex.search(line):
                total += 1
                if len(matches) < GREP_CAP:
                    cut = line if len(line) <= GREP_LINE_CHARS else line[:GREP_LINE_CHARS] + "..."
                    matches.append(f"{shown(root, candidate)}:{number}: {cut}")
    lines = matches or [f"no matches for {pattern!r}"]
    if total > GREP_CAP:
        lines.append(f"[{total - GREP_CAP} more matches not shown; narrow the search]")
    if stopped:
        lines.append(f"[search stopped after {WALK_CAP:,} entries; search a smaller directory]")
    return "\n".join(lines)


def _text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a text file; nothing for binary, huge or unreadable files."""
    try:
        if not path.is_file() or path.stat().st_size > GREP_FILE_CAP_BYTES:
            return
        data = path.read_bytes()
    except OSError:
        return
    if b"\x00" in data[:_BINARY_PROBE]:
        return
    text = data.decode("utf-8", errors="replace")
    yield from enumerate(text.splitlines(), start=1)


def files_tools() -> ToolSet:
    """read_file, write_file and edit_file (both need approval), list_dir, glob, grep."""
    return ToolSet("files", [read_file, write_file, edit_file, list_dir, glob_files, grep_files])
