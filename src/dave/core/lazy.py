"""Lazy package exports: a name is imported from its module on first use, then cached.

What keeps `import dave` and `dave --help` fast. Not for anything but a package's `__init__`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`: `where` maps each public name to the module
    (absolute, or relative to the package) that defines it."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[name], package), name)
        vars(sys.modules[package])[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(where) | set(vars(sys.modules[package])["__all__"]))

    return __getattr__, __dir__
