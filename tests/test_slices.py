"""Each provider's knowledge stays in its slice: no file whose path does not name a provider
holds one of its model ids, or its API's host, as a string in code. The markers come from the
registry itself, so a new provider is checked the day it is registered."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import urlsplit

import dave
from dave.media import catalog

SRC = Path(dave.__file__).parent


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants in code, leaving out docstrings (module, class and function ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_no_provider_model_or_host_is_named_outside_its_slice() -> None:
    leaks = []
    for slice_ in catalog.slices():
        models = {row.model for row in slice_.rows} | set(slice_.defaults.values())
        host = urlsplit(slice_.default_base_url).hostname
        assert host and models, slice_.name
        for path in sorted(SRC.rglob("*.py")):
            where = path.relative_to(SRC).as_posix()
            if slice_.name in where:
                continue
            for line, text in _code_strings(path):
                if text in models or host in text:
                    leaks.append(f"{where}:{line} names {slice_.name}'s {text!r}")
    assert leaks == []


def test_the_check_sees_a_leak_where_there_is_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('"""Docs may say grok-imagine-image."""\nMODEL = "grok-imagine-image"\n')
    assert _code_strings(probe) == [(2, "grok-imagine-image")]
