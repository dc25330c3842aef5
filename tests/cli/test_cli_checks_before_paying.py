"""Inputs a command can check are checked before the job is journaled: a `-o` that cannot take
the outputs, a `--lyrics` or `--edit` value that names a file that is not there. Nothing is
journaled and nothing reaches the provider; a copy that still fails afterwards names the job
and where its file is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.conftest import RunDave
from tests.cli.helpers import one_json

from dave.cli.generate import copy_out
from dave.core.errors import DaveError
from dave.emulator import EmulatorServer
from dave.media.sync import SyncStudio


def _journal_is_empty(run_dave: RunDave) -> None:
    listed = run_dave("jobs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert one_json(listed.stdout) == {"jobs": []}


@pytest.mark.parametrize("target", ["/proc/dave-nope", "existing-file"])
def test_an_unusable_out_dir_is_refused_before_anything_is_sent(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path, target: str
) -> None:
    if target == "existing-file":
        target_path = tmp_path / "existing-file.jpg"
        target_path.write_bytes(b"not a folder")
        target = str(target_path)

    done = run_dave("image", "a lighthouse", "-o", target)

    assert done.returncode == 1
    assert done.stderr.startswith("dave: error: -o ")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert xai.log.entries() == []  # no paid request left
    _journal_is_empty(run_dave)


def test_out_dir_that_does_not_exist_yet_is_made_and_gets_the_copy(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "new" / "folder"

    done = run_dave("image", "a lighthouse", "-o", str(out), "--json")

    assert done.returncode == 0, done.stderr
    [copy] = one_json(done.stdout)["copies"]
    assert Path(copy).parent == out and Path(copy).is_file()
    assert [p.name for p in out.iterdir()] == [Path(copy).name]  # no probe file left behind


def test_a_copy_that_fails_names_the_job_and_the_kept_file(
    xai: EmulatorServer, tmp_path: Path
) -> None:
    with SyncStudio() as studio:
        result = studio.image("a lighthouse")
    [source] = result.paths()
    out = tmp_path / "out"
    # A folder where the copy's file must go: the copy fails after the job is paid for.
    slug_name = f"a-lighthouse-{result.job.id[-6:].lower()}-1{source.suffix}"
    (out / slug_name).mkdir(parents=True)

    with pytest.raises(DaveError) as raised:
        copy_out(result, out)

    assert raised.value.job_id == result.job.id
    assert str(source) in (raised.value.hint or "")
    assert source.is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["music", "indie folk", "--lyrics", "nosuch.txt"],
        ["music", "indie folk", "--lyrics", "songs/snow"],
        ["lyrics", "make it sadder", "--edit", "nosuch.LRC"],
        ["lyrics", "make it sadder", "--edit", "draft.md"],
    ],
)
def test_a_text_value_that_names_a_missing_file_is_refused(
    run_dave: RunDave, minimax: EmulatorServer, args: list[str]
) -> None:
    done = run_dave(*args)

    assert done.returncode == 1
    assert "does not exist" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert minimax.log.entries() == []
    _journal_is_empty(run_dave)


def test_words_with_a_slash_are_still_words(run_dave: RunDave, minimax: EmulatorServer) -> None:
    done = run_dave("music", "indie folk", "--lyrics", "[verse]\nrock / pop all night", "--json")

    assert done.returncode == 0, done.stderr
    shown = one_json(run_dave("jobs", "show", one_json(done.stdout)["job"]["id"], "--json").stdout)
    assert shown["job"]["request"]["lyrics"] == "[verse]\nrock / pop all night"


def test_lyrics_from_a_file_that_exists_are_read(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    words = tmp_path / "song.txt"
    words.write_text("[verse]\nsnow on the pines\n", encoding="utf-8")

    done = run_dave("music", "indie folk", "--lyrics", str(words), "--json")

    assert done.returncode == 0, done.stderr
    shown = one_json(run_dave("jobs", "show", one_json(done.stdout)["job"]["id"], "--json").stdout)
    assert shown["job"]["request"]["lyrics"].strip() == "[verse]\nsnow on the pines"
