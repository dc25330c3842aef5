"""Publishing to a local folder: `{dir}/{sha256}.{ext}`, linked as a `file://` URL (and served
by `dave serve` under /public). Create-only: a file already there is never written again.

Not for the media library itself (store/files.py), which this folder only copies from.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from dave.core.errors import DaveError
from dave.publish.target import Placed, content_key


class LocalTarget:
    """A folder that keeps published copies under content keys."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def key_for(self, sha256: str, ext: str) -> str:
        return content_key("", sha256, ext)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if path.parent != self.root.resolve():  # a key is one file name, never a way out
            raise DaveError(f"not a publish key: {key!r}")
        return path

    def find(self, key: str) -> Placed | None:
        path = self._path(key)
        if not path.is_file():
            return None
        return Placed(key, path.as_uri(), None, None, uploaded=False)

    def put(self, path: Path, key: str, mime: str) -> Placed:
        found = self.find(key)
        if found is not None:
            return found
        target = self._path(key)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{key}.{os.getpid()}-{os.urandom(4).hex()}.part")
            shutil.copyfile(path, temp)
            try:
                os.link(temp, target)  # fails if the key appeared meanwhile: create-only
            except FileExistsError:
                pass
            finally:
                temp.unlink(missing_ok=True)
        except OSError as error:
            raise DaveError(
                f"cannot publish to {self.root}: {error.strerror or error}",
                hint="set DAVE_PUBLISH_DIR to a folder you can write in",
            ) from None
        return Placed(key, target.as_uri(), None, None, uploaded=True)

    def link(self, key: str) -> tuple[str, datetime | None]:
        return self._path(key).as_uri(), None

    def __repr__(self) -> str:
        return f"LocalTarget({str(self.root)!r})"
