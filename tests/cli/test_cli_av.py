"""`dave video` with first/last frames and MiniMax's subject, `dave music` and `dave lyrics`:
each flag reaches the wire, lyrics come from a file or the command line, a track's cover
feature id leads to a cover, and the files land in the library."""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest
from tests.cli.helpers import one_json, picture, song
from tests.conftest import sent_forms

from dave.emulator import EmulatorServer

RunDave = Callable[..., subprocess.CompletedProcess[str]]
LYRICS = "[Verse]\nthe fox ran far\nacross the snow\n[Chorus]\nrun fox run"


def _data_uri(path: Path, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def _ok(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert run.returncode == 0, run.stderr
    return one_json(run.stdout)


def _seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        return (container.duration or 0) / 1_000_000


# --- video ---------------------------------------------------------------------------------


def test_first_frame_is_the_same_flag_as_image_for_x_ai(
    run_dave: RunDave, xai: EmulatorServer, tmp_path: Path
) -> None:
    frame = picture(tmp_path / "frame.png", size=(96, 64))

    payload = _ok(run_dave("video", "the boat sails", "--first-frame", str(frame), "--no-wait",
                           "--json"))  # fmt: skip

    (post,) = xai.log.posts()
    assert post.json["image"] == {"url": _data_uri(frame)}
    assert payload["job"]["state"] == "submitted"


def test_a_minimax_video_between_a_first_and_a_last_frame(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    first = picture(tmp_path / "first.png", size=(640, 360))
    last = picture(tmp_path / "last.png", size=(640, 360))

    payload = _ok(
        run_dave(
            "video", "the sun sets", "-p", "minimax", "-m", "MiniMax-Hailuo-02", "--first-frame",
            str(first), "--last-frame", str(last), "--no-prompt-optimizer", "--no-wait", "--json",
        )
    )  # fmt: skip

    (post,) = minimax.log.posts()
    assert post.path == "/minimax/v1/video_generation"
    assert post.json["model"] == "MiniMax-Hailuo-02"
    assert post.json["first_frame_image"] == _data_uri(first)
    assert post.json["last_frame_image"] == _data_uri(last)
    assert post.json["prompt_optimizer"] is False
    assert (payload["job"]["state"], payload["job"]["provider"]) == ("submitted", "minimax")


def test_a_minimax_subject_video_sends_the_face(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    face = picture(tmp_path / "face.png", size=(512, 512))

    payload = _ok(run_dave("video", "she waves", "-p", "minimax", "--subject", str(face),
                           "--no-wait", "--json"))  # fmt: skip

    (post,) = minimax.log.posts()
    assert post.json["model"] == "S2V-01"
    assert post.json["subject_reference"] == [{"type": "character", "image": [_data_uri(face)]}]
    assert payload["job"]["model"] == "S2V-01"


def test_an_offline_minimax_video_ends_as_an_mp4_in_the_library(
    run_dave: RunDave, dave_home: Path
) -> None:
    payload = _ok(run_dave("video", "rain on a window", "-p", "minimax", "--offline", "--json"))

    assert payload["job"]["state"] == "done"
    (asset,) = payload["assets"]
    assert asset["mime"] == "video/mp4"
    assert Path(asset["path"]).is_relative_to(dave_home / "media")
    assert _seconds(Path(asset["path"])) == pytest.approx(6.0, abs=0.3)


# --- music ---------------------------------------------------------------------------------


def test_music_reads_lyrics_from_a_file_and_keeps_an_mp3(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    words = tmp_path / "song.txt"
    words.write_text(LYRICS, encoding="utf-8")

    payload = _ok(run_dave("music", "indie folk, warm", "--lyrics", str(words), "--json"))

    (post,) = minimax.log.posts()
    assert post.path == "/minimax/v1/music_generation"
    assert (post.json["model"], post.json["lyrics"]) == ("music-2.6", LYRICS)
    (asset,) = payload["assets"]
    assert asset["mime"] == "audio/mpeg"
    assert _seconds(Path(asset["path"])) > 1


def test_music_takes_lyrics_given_as_text(run_dave: RunDave, minimax: EmulatorServer) -> None:
    _ok(run_dave("music", "sea shanty", "-l", "[Verse]\nheave away", "--json"))

    assert minimax.log.posts()[0].json["lyrics"] == "[Verse]\nheave away"


def test_an_instrumental_in_wav(run_dave: RunDave, minimax: EmulatorServer) -> None:
    payload = _ok(run_dave("music", "ambient drones", "--instrumental", "--format", "wav",
                           "--json"))  # fmt: skip

    (post,) = minimax.log.posts()
    assert post.json["is_instrumental"] is True
    assert post.json["audio_setting"]["format"] == "wav"
    assert Path(payload["assets"][0]["path"]).suffix == ".wav"


def test_a_cover_of_a_reference_track(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    track = song(tmp_path / "song.mp3", 8.0)

    payload = _ok(run_dave("music", "a jazz cover, brushed drums", "--reference", str(track),
                           "--json"))  # fmt: skip

    (post,) = minimax.log.posts()
    assert post.json["model"] == "music-cover"
    assert base64.b64decode(post.json["audio_base64"]) == track.read_bytes()
    assert payload["job"]["model"] == "music-cover"


def test_stable_audio_of_a_set_length_in_credits(
    run_dave: RunDave, stability: EmulatorServer
) -> None:
    payload = _ok(run_dave("music", "rain on a tin roof", "-p", "stability", "--duration", "5",
                           "--steps", "8", "--format", "wav", "--json"))  # fmt: skip

    (sent,) = sent_forms(stability)
    assert sent["path"].endswith("/text-to-audio")
    assert sent["fields"]["duration"] == "5"
    assert sent["fields"]["output_format"] == "wav"
    job = payload["job"]
    assert (job["model"], job["price_unit"]) == ("stable-audio-2.5", "credits")
    assert _seconds(Path(payload["assets"][0]["path"])) == pytest.approx(5.0, abs=0.3)


def test_an_offline_song_needs_no_key(run_dave: RunDave) -> None:
    payload = _ok(run_dave("music", "lofi beat", "--instrumental", "--offline", "--json"))

    assert payload["job"]["state"] == "done"
    assert payload["assets"][0]["mime"].startswith("audio/")


def test_a_lyrics_file_that_is_not_text_is_one_json_error(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    binary = tmp_path / "lyrics.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")

    done = run_dave("music", "pop", "--lyrics", str(binary), "--json")

    assert done.returncode == 1
    assert "is not UTF-8 text" in done.stderr and len(done.stderr.splitlines()) == 1
    assert one_json(done.stdout)["error"]["type"] == "InvalidRequest"
    assert len(minimax.log) == 0


# --- lyrics --------------------------------------------------------------------------------


def test_lyrics_are_written_and_printed_with_title_and_style(
    run_dave: RunDave, minimax: EmulatorServer
) -> None:
    done = run_dave("lyrics", "a song about foxes in winter", "--title", "Snow")

    assert done.returncode == 0, done.stderr
    (post,) = minimax.log.posts()
    assert post.json == {
        "mode": "write_full_song",
        "prompt": "a song about foxes in winter",
        "title": "Snow",
    }
    assert done.stdout.startswith("title: Snow\nstyle: ")
    assert "[Chorus]" in done.stdout
    assert "kept as " in done.stderr


def test_lyrics_json_has_the_words_beside_the_job(
    run_dave: RunDave, minimax: EmulatorServer
) -> None:
    payload = _ok(run_dave("lyrics", "a song about the sea", "--title", "Tide", "--json"))

    song_words = payload["lyrics"]
    assert song_words["title"] == "Tide"
    assert "[Verse]" in song_words["lyrics"]
    assert song_words["cover_feature_id"] is None
    assert Path(payload["assets"][0]["path"]).read_text(encoding="utf-8") == song_words["lyrics"]


def test_lyrics_edit_reads_the_words_to_revise_from_a_file(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    words = tmp_path / "draft.txt"
    words.write_text(LYRICS + "\n", encoding="utf-8")

    _ok(run_dave("lyrics", "make it sadder", "--edit", str(words), "--json"))

    (post,) = minimax.log.posts()
    assert post.json == {"mode": "edit", "prompt": "make it sadder", "lyrics": LYRICS}


def test_lyrics_from_a_track_give_a_cover_feature_id_and_the_music_call_that_uses_it(
    run_dave: RunDave, minimax: EmulatorServer, tmp_path: Path
) -> None:
    track = song(tmp_path / "song.mp3", 8.0)

    read = run_dave("lyrics", "--from-track", str(track))

    assert read.returncode == 0, read.stderr
    assert minimax.log.posts()[0].path == "/minimax/v1/music_cover_preprocess"
    found = re.search(r"^cover feature: (\S+)$", read.stdout, re.MULTILINE)
    assert found is not None
    feature = found.group(1)
    assert f"--cover-feature {feature}" in read.stderr
    assert "dave music " in read.stderr
    words = tmp_path / "words.txt"
    words.write_text(read.stdout.split("\ncover feature:")[0].strip(), encoding="utf-8")

    cover = _ok(run_dave("music", "the same song as a sea shanty", "--cover-feature", feature,
                         "--lyrics", str(words), "--json"))  # fmt: skip

    post = minimax.log.posts()[-1]
    assert (post.json["model"], post.json["cover_feature_id"]) == ("music-cover", feature)
    assert "[Verse]" in post.json["lyrics"]
    assert cover["job"]["state"] == "done"
