"""MiniMax music and lyrics through the Studio on the loopback emulator: songs as hex or a
URL, instrumentals, covers (one step with a track, two steps with a cover_feature_id), and
lyrics written, edited or read from a track."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from dave import Studio
from dave.emulator import EmulatorServer
from tests.media.minimax.helpers import paths, probe

LYRICS = "[Verse]\nthe fox ran far\nacross the snow\n[Chorus]\nrun fox run"


async def test_a_song_comes_back_as_hex_and_is_kept_as_mp3_with_its_details(
    studio: Studio, minimax: EmulatorServer
) -> None:
    result = await studio.music(
        "indie folk, warm", provider="minimax", lyrics=LYRICS, sample_rate=32000, bitrate=128000
    )

    (post,) = minimax.log.posts()
    assert post.path == "/minimax/v1/music_generation"
    assert post.json == {
        "model": "music-2.6",
        "prompt": "indie folk, warm",
        "lyrics": LYRICS,
        "audio_setting": {"sample_rate": 32000, "bitrate": 128000},
        "output_format": "hex",
    }
    assert minimax.log.gets("/files/*") == []
    path = paths(studio, result)[0]
    assert path.suffix == ".mp3"
    seen = probe(path)
    assert seen["duration"] == pytest.approx(6.0, abs=0.3)  # 3 s + one per sung line
    assert seen["sample_rate"] == 32000
    details = result.to_dict()["job"]["details"]
    assert details["duration_s"] == pytest.approx(6.0)
    assert (details["sample_rate"], details["bitrate"]) == (32000, 128000)
    job = studio.jobs.get(result.job.id)
    assert (job.state.value, job.model, job.price) == ("done", "music-2.6", None)


async def test_a_url_answer_is_downloaded_and_wav_is_kept_as_wav(
    studio: Studio, minimax: EmulatorServer
) -> None:
    result = await studio.music(
        "ambient drones", provider="minimax", instrumental=True, response_format="url",
        output_format="wav",
    )  # fmt: skip

    (post,) = minimax.log.posts()
    assert post.json["is_instrumental"] is True
    assert post.json["output_format"] == "url"
    assert post.json["audio_setting"] == {"format": "wav"}
    assert len(minimax.log.gets("/files/*.wav")) == 1
    path = paths(studio, result)[0]
    assert path.suffix == ".wav"
    assert probe(path)["duration"] == pytest.approx(5.0, abs=0.2)


async def test_a_cover_of_a_track_picks_music_cover_and_sends_bare_base64(
    studio: Studio, minimax: EmulatorServer, track: Callable[..., Path]
) -> None:
    song = track(8.0)

    result = await studio.music("a jazz cover, brushed drums", provider="minimax", reference=song)

    (post,) = minimax.log.posts()
    assert post.json["model"] == "music-cover"
    assert base64.b64decode(post.json["audio_base64"]) == song.read_bytes()
    assert "audio_url" not in post.json
    assert probe(paths(studio, result)[0])["duration"] == pytest.approx(8.0, abs=0.3)


async def test_lyrics_read_from_a_track_give_a_cover_feature_id_for_a_two_step_cover(
    studio: Studio, minimax: EmulatorServer, track: Callable[..., Path]
) -> None:
    read = await studio.lyrics(provider="minimax", track=track(8.0))

    (pre,) = minimax.log.posts()
    assert pre.path == "/minimax/v1/music_cover_preprocess"
    assert pre.json is not None and pre.json["model"] == "music-cover"
    assert set(pre.json) == {"model", "audio_base64"}
    details = read.to_dict()["job"]["details"]
    assert len(details["cover_feature_id"]) == 32
    assert details["structure"]["num_segments"] == 4
    assert details["audio_duration_s"] == pytest.approx(8.0, abs=0.2)
    words = paths(studio, read)[0].read_text(encoding="utf-8")
    assert "[Verse]" in words
    assert studio.jobs.get(read.job.id).model == "music-cover"

    cover = await studio.music(
        "the same song as a sea shanty", provider="minimax",
        cover_feature_id=details["cover_feature_id"], lyrics=words,
    )  # fmt: skip

    second = minimax.log.posts()[-1]
    assert second.json is not None
    assert second.json["cover_feature_id"] == details["cover_feature_id"]
    assert second.json["model"] == "music-cover"
    assert cover.job.state.value == "done"


async def test_lyrics_are_written_and_edited_as_text_assets_with_title_and_tags(
    studio: Studio, minimax: EmulatorServer
) -> None:
    written = await studio.lyrics("a song about foxes in winter", provider="minimax", title="Snow")

    first = minimax.log.posts()[0]
    assert first.path == "/minimax/v1/lyrics_generation"
    assert first.json == {
        "mode": "write_full_song",
        "prompt": "a song about foxes in winter",
        "title": "Snow",
    }
    details = written.to_dict()["job"]["details"]
    assert details["title"] == "Snow"
    assert "foxes" in details["style_tags"]
    text = paths(studio, written)[0].read_text(encoding="utf-8")
    assert "[Chorus]" in text
    assert written.assets[0].mime == "text/plain"

    edited = await studio.lyrics("make it sadder", provider="minimax", mode="edit", lyrics=text)

    second = minimax.log.posts()[1]
    assert second.json == {"mode": "edit", "prompt": "make it sadder", "lyrics": text.strip()}
    assert text.strip() in paths(studio, edited)[0].read_text(encoding="utf-8")
    assert studio.jobs.get(edited.job.id).model == "lyrics-generation"
