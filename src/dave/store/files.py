"""The content-addressed media folder: staged downloads, atomic commits to `ab/cd/<sha256>.<ext>`.

Not for the catalogue of what the files are (assets.py) nor for checking formats (media.verify).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import TracebackType

from dave.core.errors import NotFound, StoreError
from dave.core.processes import pid_alive

TEMP_DIR = ".tmp"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_EXT = re.compile(r"^[a-z0-9]{1,10}$")


def _fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Staging:
    """A temp file being written under `<root>/.tmp/`, hashed (sha256) and counted as it goes.

    As a context manager it discards the file if the block raises; otherwise it is closed and
    kept for `MediaFolder.commit`.
    """

    def __init__(self, path: Path, *, fd: int | None = None) -> None:
        self.path = path
        self._hash = hashlib.sha256()
        self._bytes = 0
        # A raw descriptor, no Python buffer: what `write` was given is in the file at once, so a
        # check that reads `path` before `close()` sees every byte.
        self._fd = fd
        self.committed_path: Path | None = None
        self.discarded = False

    @classmethod
    def existing(cls, path: Path) -> Staging:
        """A closed Staging for a temp file already on disk (re-hashed), e.g. after a restart."""
        staging = cls(path)
        try:
            with path.open("rb") as source:
                while chunk := source.read(1 << 20):
                    staging._hash.update(chunk)
                    staging._bytes += len(chunk)
        except FileNotFoundError as error:
            raise NotFound(f"no staged file {path}") from error
        except OSError as error:
            raise StoreError(f"cannot read the staged file {path}: {error}") from error
        return staging

    def write(self, chunk: builtins.bytes) -> None:
        if self._fd is None:
            raise StoreError(f"the staged file {self.path} is closed")
        view = memoryview(chunk)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as error:
            raise StoreError(f"cannot write {self.path}: {error}") from error
        self._hash.update(chunk)
        self._bytes += len(chunk)

    @property
    def sha256(self) -> str:
        """Hex sha256 of everything written so far."""
        return self._hash.hexdigest()

    @property
    def bytes(self) -> int:
        """How many bytes were written."""
        return self._bytes

    @property
    def closed(self) -> bool:
        return self._fd is None

    @property
    def name(self) -> str:
        """The path relative to the media root (`.tmp/…`), to journal and `reopen` later."""
        return f"{TEMP_DIR}/{self.path.name}"

    def close(self) -> None:
        """Flush and fsync the bytes to disk; idempotent."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.fsync(fd)
        except OSError as error:
            raise StoreError(f"cannot write {self.path}: {error}") from error
        finally:
            os.close(fd)

    def discard(self) -> None:
        """Close and delete the temp file; idempotent."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.discarded = True

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.discard()
        else:
            self.close()

    def __repr__(self) -> str:
        return f"Staging({str(self.path)!r}, bytes={self._bytes})"


def _writer_alive(name: str) -> bool:
    """Temp names start with the writing process's pid (DAVE_HOME is local to one machine);
    a name without one counts as alive and waits for the age cut-off instead."""
    pid_text = name.split("-", 1)[0]
    return not pid_text.isdigit() or pid_alive(int(pid_text))


class MediaFolder:
    """Files under `root/ab/cd/<sha256>.<ext>`: one file per content, never a partial one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.temp_dir = self.root / TEMP_DIR

    def stage(self, suffix: str = "") -> Staging:
        """A new, empty, uniquely named temp file to write a download into."""
        try:
            self.temp_dir.mkdir(parents=True, exist_ok=True)
            name = f"{os.getpid()}-{os.urandom(8).hex()}{suffix}.part"
            path = self.temp_dir / name
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(path, flags, 0o644)  # media files are data, never executable
        except OSError as error:
            raise StoreError(f"cannot create a temp file in {self.temp_dir}: {error}") from error
        return Staging(path, fd=fd)

    def stage_bytes(self, data: builtins.bytes, suffix: str = "") -> Staging:
        """A closed staging file holding `data` (e.g. an inline base64 result, decoded)."""
        staging = self.stage(suffix)
        with staging:
            staging.write(data)
        return staging

    def reopen(self, name: str) -> Staging:
        """The staging file journaled as `name` (`Staging.name`), ready to commit."""
        path = self.absolute(name)
        if path.parent != self.temp_dir:
            raise StoreError(f"{name!r} is not a staged file")
        return Staging.existing(path)

    def path_for(self, sha256: str, ext: str = "") -> Path:
        """Where content with this hash lives: `root/ab/cd/<sha256>.<ext>`."""
        sha = sha256.lower()
        if not _SHA256.match(sha):
            raise StoreError(f"not a sha256: {sha256!r}")
        ext = ext.lower().lstrip(".")
        if ext and not _EXT.match(ext):
            raise StoreError(f"not a file extension: {ext!r}")
        return self.root / sha[:2] / sha[2:4] / (f"{sha}.{ext}" if ext else sha)

    def commit(self, staging: Staging, ext: str = "") -> Path:
        """Move a staged file to its content address, atomically; returns the final path.

        If that content is already there, the existing file is kept and the temp deleted.
        """
        if staging.discarded:
            raise StoreError(f"the staged file {staging.path} was discarded")
        if staging.committed_path is not None:
            return staging.committed_path
        staging.close()
        final = self.path_for(staging.sha256, ext)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                same = final.stat().st_size == staging.bytes
            except FileNotFoundError:
                same = False
            if same:
                staging.path.unlink(missing_ok=True)
            else:
                os.replace(staging.path, final)
                _fsync_dir(final.parent)
        except OSError as error:
            raise StoreError(f"cannot move {staging.path} to {final}: {error}") from error
        staging.committed_path = final
        return final

    def put_bytes(self, data: builtins.bytes, ext: str = "") -> Path:
        """Stage and commit `data` in one step."""
        return self.commit(self.stage_bytes(data), ext)

    def relative(self, path: Path | str) -> str:
        """`path` relative to the root, '/'-separated (what the assets table stores)."""
        full = Path(path)
        if not full.is_absolute():
            full = self.root / full
        try:
            rel = full.resolve().relative_to(self.root.resolve())
        except ValueError as error:
            raise StoreError(f"{path} is outside the media folder {self.root}") from error
        return rel.as_posix()

    def absolute(self, rel: str | Path) -> Path:
        """The file for a stored relative path; refuses paths that climb out of the root."""
        pure = PurePosixPath(Path(rel).as_posix())
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise StoreError(f"{str(rel)!r} is not a path inside the media folder")
        return self.root.joinpath(*pure.parts)

    def exists(self, rel: str | Path) -> bool:
        return self.absolute(rel).is_file()

    def fetch(self, rel: str | Path) -> Path:
        """The local file to read for a stored relative path. A shared library (S3) brings it
        into this folder first; here it is only where the file would be, there or not."""
        return self.absolute(rel)

    def temps(self) -> builtins.list[Path]:
        """Temp files now under `.tmp/`."""
        if not self.temp_dir.is_dir():
            return []
        return sorted(p for p in self.temp_dir.iterdir() if p.is_file())

    def clean_temps(self, older_than_s: float = 24 * 3600, keep: Iterable[str] = ()) -> int:
        """Delete temp files of dead processes, or untouched for `older_than_s`, except the
        staged files named in `keep` (journaled by unfinished jobs). Returns how many went."""
        keep_names = {PurePosixPath(k).name for k in keep}
        cutoff = time.time() - older_than_s
        removed = 0
        for path in self.temps():
            if path.name in keep_names:
                continue
            try:
                if path.stat().st_mtime <= cutoff or not _writer_alive(path.name):
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
            except OSError as error:
                raise StoreError(f"cannot remove the temp file {path}: {error}") from error
        return removed

    def __repr__(self) -> str:
        return f"MediaFolder({str(self.root)!r})"
