"""Lineage: a job made from library assets records which, so each asset knows its sources and
what was made from it."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from dave import Studio
from dave.emulator import EmulatorServer


async def test_an_edit_of_a_library_image_links_back_to_it(
    studio: Studio, xai: EmulatorServer, dave_home: Path, tmp_path: Path
) -> None:
    original = (await studio.image("a lighthouse at dusk")).assets[0]
    kept = dave_home / "media" / original.path
    copy = tmp_path / "copy.jpg"
    shutil.copyfile(kept, copy)

    edited = (await studio.edit("paint it red", [str(copy)])).assets[0]
    lineage = studio.store.lineage
    assert [(field, a.id) for field, a in lineage.sources_of(edited)] == [
        ("images[0]", original.id)
    ]
    assert [a.id for a in lineage.derived_from(original.id)] == [edited.id]
    assert lineage.sources_of(original) == []


async def test_a_data_uri_of_library_bytes_links_and_an_outside_file_does_not(
    studio: Studio, xai: EmulatorServer, dave_home: Path, png: Path
) -> None:
    first = (await studio.image("a red kite")).assets[0]
    second = (await studio.image("a blue kite")).assets[0]
    uri = (
        "data:image/jpeg;base64,"
        + base64.b64encode((dave_home / "media" / second.path).read_bytes()).decode()
    )
    made = (
        await studio.edit("both kites", [str(dave_home / "media" / first.path), str(png), uri])
    ).assets[0]
    links = [(field, a.id) for field, a in studio.store.lineage.sources_of(made)]
    assert links == [("images[0]", first.id), ("images[2]", second.id)]
    assert [a.id for a in studio.store.lineage.derived_from(second.id)] == [made.id]
