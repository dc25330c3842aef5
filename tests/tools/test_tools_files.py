"""The files tools on a real workspace: what they read, write and show, and every way out of
the workspace refused (traversal, absolute paths, symlinks leading out)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dave.tools import ToolContext, ToolResult, files_tools
from dave.tools.files import READ_CAP_BYTES, confine, unified_diff

if TYPE_CHECKING:
    from tests.tools.conftest import Approvals

FILES = files_tools()


async def call(ctx: ToolContext, name: str, **arguments: object) -> ToolResult:
    return await FILES.call(name, arguments, ctx)


def test_the_files_set_holds_six_tools_and_two_need_approval() -> None:
    assert FILES.names() == ["read_file", "write_file", "edit_file", "list_dir", "glob", "grep"]
    assert [t.name for t in FILES if t.needs_approval] == ["write_file", "edit_file"]


# --- escapes ---------------------------------------------------------------------------------


@pytest.fixture
def links(workspace: Path, outside: Path) -> Path:
    """Symlinks inside the workspace: to the outside file, the outside dir, and one inside."""
    (workspace / "out-file").symlink_to(outside / "secret.txt")
    (workspace / "out-dir").symlink_to(outside, target_is_directory=True)
    (workspace / "in-link").symlink_to(workspace / "README.md")
    (workspace / "loop").symlink_to(workspace / "loop")
    return workspace


ESCAPES = [
    ("../outside/secret.txt", "leads outside the workspace (through '..')"),
    ("src/../../outside/secret.txt", "leads outside the workspace (through '..')"),
    ("..", "leads outside the workspace (through '..')"),
    ("out-file", "leads outside the workspace through a symlink"),
    ("out-dir/secret.txt", "leads outside the workspace through a symlink"),
    ("out-dir", "leads outside the workspace through a symlink"),
    ("~/secret.txt", "names a home directory, outside the workspace"),
]


@pytest.mark.parametrize(("path", "why"), ESCAPES)
@pytest.mark.parametrize(
    ("tool", "extra"),
    [
        ("read_file", {}),
        ("write_file", {"content": "pwned\n"}),
        ("edit_file", {"old": "TOP SECRET", "new": "pwned"}),
        ("list_dir", {}),
        ("grep", {"pattern": "SECRET"}),
        ("glob", {"pattern": "*"}),
    ],
)
async def test_every_files_tool_refuses_every_escape(
    ctx: ToolContext,
    links: Path,
    outside: Path,
    tool: str,
    extra: dict[str, object],
    path: str,
    why: str,
) -> None:
    result = await call(ctx, tool, path=path, **extra)

    assert result.is_error
    assert result.content == f"{path!r} {why}"
    assert (outside / "secret.txt").read_text() == "TOP SECRET\n"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


async def test_absolute_paths_are_refused_even_inside_the_workspace(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    for path in (str(outside / "secret.txt"), str(workspace / "README.md"), "/etc/passwd"):
        result = await call(ctx, "read_file", path=path)
        assert result == ToolResult(
            f"{path!r} is an absolute path; give a path relative to the workspace", True
        )


async def test_a_symlink_loop_is_refused_cleanly(ctx: ToolContext, links: Path) -> None:
    result = await call(ctx, "read_file", path="loop")
    assert result.is_error
    assert result.content.startswith("cannot resolve 'loop'") or "no file" in result.content


async def test_a_symlink_that_stays_inside_is_followed(ctx: ToolContext, links: Path) -> None:
    result = await call(ctx, "read_file", path="in-link")
    assert result == ToolResult("# demo\n\nA demo project.\n")


async def test_dotdot_that_stays_inside_is_fine(ctx: ToolContext) -> None:
    result = await call(ctx, "read_file", path="src/pkg/../../README.md")
    assert result.content == "# demo\n\nA demo project.\n"


def test_confine_returns_the_real_path(workspace: Path, links: Path) -> None:
    assert confine(workspace, "in-link") == (workspace / "README.md").resolve()
    assert confine(workspace, "new/dir/file.txt") == workspace.resolve() / "new/dir/file.txt"


async def test_writing_into_a_symlinked_directory_that_leads_out_creates_nothing(
    ctx: ToolContext, links: Path, outside: Path
) -> None:
    result = await call(ctx, "write_file", path="out-dir/new.txt", content="x")
    assert result.is_error
    assert not (outside / "new.txt").exists()


async def test_glob_and_grep_skip_links_that_lead_out(ctx: ToolContext, links: Path) -> None:
    globbed = await call(ctx, "glob", pattern="**/*")
    assert "out-file" not in globbed.content.split("\n")
    assert "secret" not in globbed.content
    grepped = await call(ctx, "grep", pattern="SECRET")
    assert grepped == ToolResult("no matches for 'SECRET'")


async def test_list_dir_marks_links_that_lead_out(ctx: ToolContext, links: Path) -> None:
    result = await call(ctx, "list_dir")
    lines = result.content.splitlines()
    assert f"out-file -> {links.parent / 'outside' / 'secret.txt'} (outside the workspace)" in lines
    assert f"in-link -> {links / 'README.md'}" in lines


# --- read_file ---------------------------------------------------------------------------------


async def test_read_file_returns_the_exact_text(ctx: ToolContext) -> None:
    result = await call(ctx, "read_file", path="src/pkg/app.py")
    assert result == ToolResult(
        'def greet(name):\n    return f"hello {name}"\n\n\nprint(greet("dave"))\n'
    )


async def test_read_file_pages_by_line(ctx: ToolContext) -> None:
    result = await call(ctx, "read_file", path="src/pkg/app.py", start_line=2, max_lines=1)
    assert result.content == (
        '    return f"hello {name}"\n[lines 2-2 shown; more follow: read on with start_line=3]'
    )
    tail = await call(ctx, "read_file", path="src/pkg/app.py", start_line=5)
    assert tail.content == 'print(greet("dave"))\n'
    past = await call(ctx, "read_file", path="src/pkg/app.py", start_line=9)
    assert past.content == "src/pkg/app.py has 5 lines; start_line 9 is past the end"


async def test_read_file_caps_a_large_file_and_says_how_to_read_on(
    ctx: ToolContext, workspace: Path
) -> None:
    line = "0123456789" * 9 + "\n"  # 91 bytes
    (workspace / "big.txt").write_text(line * 10_000)
    result = await call(ctx, "read_file", path="big.txt")
    shown_lines = READ_CAP_BYTES // len(line)
    body, note = result.content.rsplit("\n[", 1)
    assert len(body.encode()) <= READ_CAP_BYTES
    assert body.count("\n") + 1 == shown_lines
    assert note == (
        f"lines 1-{shown_lines} shown; more follow: read on with start_line={shown_lines + 1}]"
    )


async def test_read_file_does_not_dump_binary_files(ctx: ToolContext, workspace: Path) -> None:
    (workspace / "blob.bin").write_bytes(b"\x89PNG\x00\x01" * 100)
    result = await call(ctx, "read_file", path="blob.bin")
    assert result == ToolResult("blob.bin is a binary file (600 bytes); not shown")


async def test_read_file_errors_name_the_problem(ctx: ToolContext, workspace: Path) -> None:
    os.mkfifo(workspace / "pipe")
    assert (await call(ctx, "read_file", path="nope.txt")).content == (
        "no file 'nope.txt' in the workspace"
    )
    assert (await call(ctx, "read_file", path="src")).content == (
        "'src' is a directory; use list_dir"
    )
    assert (await call(ctx, "read_file", path="pipe")).content == "'pipe' is not a regular file"
    assert (await call(ctx, "read_file", path="")).content == (
        "path is empty; use '.' for the workspace itself"
    )


# --- write_file and edit_file ------------------------------------------------------------------


async def test_write_file_creates_parents_and_shows_a_diff(
    ctx: ToolContext, workspace: Path, approvals: Approvals
) -> None:
    result = await call(ctx, "write_file", path="docs/notes.md", content="one\ntwo\n")

    assert (workspace / "docs" / "notes.md").read_text() == "one\ntwo\n"
    diff = "--- /dev/null\n+++ b/docs/notes.md\n@@ -0,0 +1,2 @@\n+one\n+two\n"
    assert result == ToolResult(f"created docs/notes.md (8 bytes)\n{diff}", diff=diff)
    assert [r.summary for r in approvals.asked] == ["write docs/notes.md (8 chars)"]


async def test_write_file_replacing_a_file_keeps_its_mode_and_diffs_against_it(
    ctx: ToolContext, workspace: Path
) -> None:
    script = workspace / "run.sh"
    script.write_text("echo one\n")
    script.chmod(0o755)
    result = await call(ctx, "write_file", path="run.sh", content="echo two")

    assert script.read_text() == "echo two"
    assert script.stat().st_mode & 0o777 == 0o755
    assert result.diff == (
        "--- a/run.sh\n+++ b/run.sh\n@@ -1 +1 @@\n-echo one\n+echo two\n"
        "\\ No newline at end of file\n"
    )
    assert result.content.startswith("wrote run.sh (8 bytes)\n--- a/run.sh")
    assert [p.name for p in workspace.iterdir() if p.name.startswith(".")] == []


async def test_write_file_without_approval_writes_nothing(workspace: Path) -> None:
    result = await FILES.call(
        "write_file", {"path": "x.txt", "content": "x"}, ToolContext(workspace)
    )
    assert result == ToolResult("denied by the user", is_error=True)
    assert not (workspace / "x.txt").exists()


async def test_edit_file_replaces_exactly_one_occurrence(
    ctx: ToolContext, workspace: Path, approvals: Approvals
) -> None:
    result = await call(
        ctx, "edit_file", path="src/pkg/app.py", old='f"hello {name}"', new='f"hi {name}!"'
    )

    app = workspace / "src/pkg/app.py"
    assert (
        app.read_text() == 'def greet(name):\n    return f"hi {name}!"\n\n\nprint(greet("dave"))\n'
    )
    assert result.diff == (
        "--- a/src/pkg/app.py\n+++ b/src/pkg/app.py\n@@ -1,5 +1,5 @@\n def greet(name):\n"
        '-    return f"hello {name}"\n+    return f"hi {name}!"\n \n \n print(greet("dave"))\n'
    )
    assert result.content == f"edited src/pkg/app.py\n{result.diff}"
    assert approvals.asked[0].summary == (
        "edit src/pkg/app.py: replace 1 line(s) starting 'f\"hello {name}\"'"
    )


async def test_edit_file_fails_clearly_when_old_is_missing(
    ctx: ToolContext, workspace: Path
) -> None:
    before = (workspace / "src/pkg/app.py").read_text()
    result = await call(ctx, "edit_file", path="src/pkg/app.py", old="goodbye", new="x")
    assert result == ToolResult(
        "old text not found in src/pkg/app.py; read_file it again and copy the text exactly, "
        "whitespace included",
        is_error=True,
    )
    assert (workspace / "src/pkg/app.py").read_text() == before


async def test_edit_file_fails_clearly_when_old_is_not_unique(
    ctx: ToolContext, workspace: Path
) -> None:
    before = (workspace / "src/pkg/app.py").read_text()
    result = await call(ctx, "edit_file", path="src/pkg/app.py", old="greet", new="welcome")
    assert result == ToolResult(
        "old text found 2 times in src/pkg/app.py; include more of the surrounding lines so it "
        "matches once",
        is_error=True,
    )
    assert (workspace / "src/pkg/app.py").read_text() == before


async def test_edit_file_refuses_empty_and_no_op_edits(ctx: ToolContext) -> None:
    empty = await call(ctx, "edit_file", path="README.md", old="", new="x")
    assert empty.content == "old is empty; to create or rewrite a whole file use write_file"
    same = await call(ctx, "edit_file", path="README.md", old="demo", new="demo")
    assert same.content == "old and new are the same; nothing to change"


async def test_edit_file_through_an_inside_link_edits_the_target(
    ctx: ToolContext, links: Path
) -> None:
    result = await call(ctx, "edit_file", path="in-link", old="A demo", new="The demo")
    assert not result.is_error
    assert (links / "README.md").read_text() == "# demo\n\nThe demo project.\n"
    assert (links / "in-link").is_symlink()


def test_unified_diff_of_identical_text_is_empty() -> None:
    assert unified_diff("a\n", "a\n", "x") == ""


# --- list_dir, glob, grep ---------------------------------------------------------------------


async def test_list_dir_shows_dirs_with_a_slash_and_files_with_sizes(ctx: ToolContext) -> None:
    result = await call(ctx, "list_dir")
    assert result.content == ".: 2 entries\nREADME.md  24 B\nsrc/"
    inner = await call(ctx, "list_dir", path="src/pkg")
    assert inner.content == "src/pkg: 2 entries\n__init__.py  0 B\napp.py  67 B"


async def test_glob_matches_names_across_directories(ctx: ToolContext, workspace: Path) -> None:
    (workspace / "src/pkg/test_app.py").write_text("")
    (workspace / ".git").mkdir()
    (workspace / ".git/hook.py").write_text("")
    assert (await call(ctx, "glob", pattern="**/*.py")).content == (
        "src/pkg/__init__.py\nsrc/pkg/app.py\nsrc/pkg/test_app.py"
    )
    assert (await call(ctx, "glob", pattern="*.md")).content == "README.md"
    assert (await call(ctx, "glob", pattern="test_?pp.py", path="src/pkg")).content == (
        "src/pkg/test_app.py"
    )
    assert (await call(ctx, "glob", pattern="src/*")).content == "src/pkg"
    assert (await call(ctx, "glob", pattern="**/[!_]*.py")).content == (
        "src/pkg/app.py\nsrc/pkg/test_app.py"
    )
    assert (await call(ctx, "glob", pattern="*.rs")).content == "no matches for '*.rs' in ."


async def test_glob_refuses_patterns_that_climb_out(ctx: ToolContext) -> None:
    for pattern in ("../*", "/etc/*", "src/../../*"):
        result = await call(ctx, "glob", pattern=pattern)
        assert result.is_error, pattern


async def test_glob_caps_its_results(ctx: ToolContext, workspace: Path) -> None:
    many = workspace / "many"
    many.mkdir()
    for i in range(520):
        (many / f"f{i:04}.txt").write_text("")
    lines = (await call(ctx, "glob", pattern="many/*.txt")).content.splitlines()
    assert len(lines) == 501
    assert lines[0] == "many/f0000.txt"
    assert lines[-1] == "[20 more matches not shown; narrow the pattern]"


async def test_grep_finds_lines_with_their_numbers(ctx: ToolContext, workspace: Path) -> None:
    (workspace / "blob.bin").write_bytes(b"greet\x00\x01")
    result = await call(ctx, "grep", pattern=r"greet\(")
    assert result.content == (
        'src/pkg/app.py:1: def greet(name):\nsrc/pkg/app.py:5: print(greet("dave"))'
    )
    only_md = await call(ctx, "grep", pattern="DEMO", ignore_case=True, include="*.md")
    assert only_md.content == "README.md:1: # demo\nREADME.md:3: A demo project."
    one_file = await call(ctx, "grep", pattern="return", path="src/pkg/app.py")
    assert one_file.content == 'src/pkg/app.py:2:     return f"hello {name}"'


async def test_grep_caps_matches_and_long_lines(ctx: ToolContext, workspace: Path) -> None:
    (workspace / "log.txt").write_text(("hit " + "x" * 400 + "\n") * 250)
    lines = (await call(ctx, "grep", pattern="hit", path="log.txt")).content.splitlines()
    assert len(lines) == 201
    assert lines[0] == "log.txt:1: hit " + "x" * 296 + "..."
    assert lines[-1] == "[50 more matches not shown; narrow the search]"


async def test_grep_reports_a_bad_regular_expression(ctx: ToolContext) -> None:
    result = await call(ctx, "grep", pattern="(unclosed")
    assert result.is_error
    assert result.content.startswith("'(unclosed' is not a valid regular expression: ")
