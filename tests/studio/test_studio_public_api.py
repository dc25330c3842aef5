"""The public face of the library: `dave.__all__` and the blocking `SyncStudio` facade."""

from __future__ import annotations

import ast
import hashlib
import inspect
import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from PIL import Image

import dave
import dave.core.errors
import dave.media.events


def test_all_is_sorted_and_unique() -> None:
    assert list(dave.__all__) == sorted(dave.__all__)
    assert len(set(dave.__all__)) == len(dave.__all__)


def test_every_name_in_all_resolves() -> None:
    for name in dave.__all__:
        assert getattr(dave, name) is not None, name
    assert dave.__version__ == metadata.version("hello-dave")


def test_all_is_what_type_checkers_see() -> None:
    """`__all__` (built from the lazy table) and the TYPE_CHECKING re-exports name the same
    things from the same modules."""
    tree = ast.parse(Path(dave.__file__).read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
        if node.test.id == "TYPE_CHECKING"
    )
    seen = {
        alias.asname or alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == {name: vars(dave)["_WHERE"][name] for name in dave.__all__}


def test_the_version_comes_from_pyproject_in_a_source_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dave.core import version

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert version.package_version() == pyproject["project"]["version"]


def test_studio_event_is_public() -> None:
    assert dave.StudioEvent is dave.media.events.StudioEvent
    assert "StudioEvent" in dave.__all__


def test_all_holds_the_studios_and_the_root_error() -> None:
    for name in ("Studio", "SyncStudio", "DaveError", "InvalidRequest", "Result", "JobState"):
        assert name in dave.__all__
    assert issubclass(dave.InvalidRequest, dave.DaveError)
    assert issubclass(dave.Unauthorized, dave.ProviderError)
    assert dave.Studio.__module__ == "dave.media.studio"
    assert sorted(dir(dave)) == sorted(dave.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = dave.NoSuchThing  # type: ignore[attr-defined]


def test_every_dave_error_in_the_error_tree_is_exported() -> None:
    errors = {
        name
        for name, value in inspect.getmembers(dave.core.errors, inspect.isclass)
        if issubclass(value, dave.core.errors.DaveError) and value.__module__ == "dave.core.errors"
    }
    assert errors - set(dave.__all__) == set()


def test_sync_studio_offline_needs_no_key_and_keeps_the_file(dave_home: Path) -> None:
    assert "XAI_API_KEY" not in os.environ

    with dave.SyncStudio(offline=True) as studio:
        result = studio.image("a lighthouse at dusk", aspect_ratio="16:9")
        jobs = studio.jobs.list()
        count = studio.assets.count()

    assert result.job.state.value == "done"
    assert [job.id for job in jobs] == [result.job.id]
    assert count == 1
    (asset,) = result.assets
    path = dave_home / "media" / asset.path
    assert path == result.paths()[0]
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == asset.sha256
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.size == (asset.width, asset.height)
    assert asset.width is not None and asset.height is not None
    assert asset.width > asset.height


def test_sync_studio_offline_makes_a_video_and_waits_for_it(dave_home: Path) -> None:
    with dave.SyncStudio(offline=True, poll_floor_s=0.1) as studio:
        started = studio.video("waves at night", duration=1, wait=False)
        finished = studio.wait(started.job.id)

    assert started.job.state.value == "submitted"
    assert started.assets == []
    assert finished.job.state.value == "done"
    (asset,) = finished.assets
    assert asset.mime == "video/mp4"
    assert (dave_home / "media" / asset.path).is_file()


def test_sync_studio_without_a_key_or_offline_says_which_variable_to_set() -> None:
    with dave.SyncStudio() as studio, pytest.raises(dave.ConfigError, match="no API key"):
        studio.image("a lighthouse")


def test_sync_studio_offline_has_every_verb_of_the_new_providers(dave_home: Path) -> None:
    with dave.SyncStudio(offline=True, poll_floor_s=0.1) as studio:
        song = studio.music("a calm piano piece", instrumental=True)
        words = studio.lyrics("a song about the sea", title="Tides")
        big = studio.upscale(_png(dave_home / "small.png", (64, 48)))
        guided = studio.control(_png(dave_home / "sketch.png", (96, 64)), "a castle", mode="sketch")

    assert (song.job.provider, song.job.model, song.assets[0].kind) == (
        "minimax",
        "music-2.6",
        "audio",
    )
    assert words.assets[0].mime == "text/plain"
    assert words.job.result is not None and words.job.result["details"]["title"] == "Tides"
    assert "[" in (dave_home / "media" / words.assets[0].path).read_text()  # section tags
    assert (big.job.model, big.assets[0].width, big.assets[0].height) == ("upscale-fast", 256, 192)
    assert (guided.job.model, guided.assets[0].width) == ("control-sketch", 96)


def _png(path: Path, size: tuple[int, int]) -> str:
    Image.new("RGB", size, (30, 120, 200)).save(path, format="PNG")
    return str(path)
