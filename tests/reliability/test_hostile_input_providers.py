"""Hostile input to MiniMax's and Stability's request kinds, through the Studio and the CLI.

Whatever comes in as a prompt, a number (seed, width/height, duration, steps, strength,
creativity, grow_mask, outpaint sides, mask_start/end, ...), a choice (op, mode, resolution,
aspect ratio, style, output_format) or a source (images past Stability's pixel and aspect
limits, audio that is not audio), dave either refuses it with one InvalidRequest line, sending
nothing, writing no job row and no file, or sends it once as a normal job that the provider (the
emulator, shaped after the wire documents) accepts. `validate` is the oracle: the Studio must
refuse exactly what it refuses. The strategies and the checks are the x.ai proof's
(`test_hostile_input.py`).
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from PIL import Image

from dave import DaveError, InvalidRequest, Rejected, Studio
from dave.emulator import EmulatorServer
from dave.emulator.makers import make_audio
from dave.media.stability.routes import STYLE_PRESETS
from dave.media.validation import validate

from .test_hostile_input import (
    FIXTURE_CHECKS,
    any_choice_text,
    any_number,
    any_prompts,
    assert_clear_failure,
    assert_untouched,
    check_refusal,
    dave_in_process,
    refused_prompts,
    trace,
)

serials = itertools.count()
#: Provider error codes for content judgments no local rule can make (stability.md §8: 422).
PROVIDER_JUDGMENTS = frozenset({"invalid_language"})
#: The longest prompt any new kind takes (stability.md: 10 000 characters).
STABILITY_PROMPT_MAX = 10_000

# --- sources -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Valid sources to put next to a hostile value: images, a mask, an 8 s song."""
    where = tmp_path_factory.mktemp("provider-sources")
    made: dict[str, str] = {}
    for name, size in (("png", (64, 64)), ("frame", (640, 360)), ("big", (1024, 1024))):
        path = where / f"{name}.png"
        Image.new("RGB", size, (10, 120, 200)).save(path, format="PNG")
        made[name] = str(path)
    mask = where / "mask.png"
    Image.new("L", (64, 64), 255).save(mask, format="PNG")
    made["mask"] = str(mask)
    song = where / "song.mp3"
    song.write_bytes(make_audio("a reference song", 8.0, "mp3"))
    made["song"] = str(song)
    return made


SOURCE_FIELDS = frozenset({"image", "images", "mask", "reference", "track"})


def _fill(options: dict[str, Any], sources: dict[str, str]) -> dict[str, Any]:
    """Options with `@name` placeholders (in source fields only) replaced by real paths."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key not in SOURCE_FIELDS:
            out[key] = value
        elif isinstance(value, str) and value.startswith("@"):
            out[key] = sources[value[1:]]
        elif isinstance(value, list):
            out[key] = [sources[v[1:]] if str(v).startswith("@") else v for v in value]
        else:
            out[key] = value
    return out


# --- one call through the Studio, judged against `validate` ------------------------------------


async def _call(verb: str, options: dict[str, Any]) -> Any:
    async with Studio(poll_floor_s=0.05) as studio:
        if verb == "video":
            return await studio.video(options.pop("prompt"), wait=False, **options)
        if verb == "edit":
            return await studio.edit(options.pop("prompt"), options.pop("images"), **options)
        if verb in ("upscale", "control"):
            return await getattr(studio, verb)(options.pop("image"), **options)
        return await getattr(studio, verb)(**options)


def through_studio(server: EmulatorServer, home: Path, verb: str, options: dict[str, Any]) -> str:
    """Refused exactly when `validate` refuses, and then untouched; else sent once and taken."""
    try:
        validate({"kind": verb, **options})
        verdict = None
    except InvalidRequest as error:
        check_refusal(error)
        verdict = error.message
    except DaveError as error:  # e.g. a request model's own type check
        raise AssertionError(f"validate raised {error!r}, not InvalidRequest") from None
    before = trace(server, home)
    try:
        result = asyncio.run(_call(verb, dict(options)))
    except InvalidRequest as error:
        check_refusal(error)
        assert verdict is not None, f"validate took it, the Studio refused: {error.message}"
        assert_untouched(before, server, home)
        event("refused")
        return "refused"
    except Rejected as error:
        # Judgments only the provider can make (Stable Audio's "English only") are its to make:
        # one POST, a failed job, nothing kept. Any other refusal is a gap in the rules.
        assert error.code in PROVIDER_JUDGMENTS, (
            f"validate took {options!r}, the provider refused it: {error.user_line()}"
        )
        after = trace(server, home)
        assert (after.posts, after.files) == (before.posts + 1, before.files)
        event("judged by the provider")
        return "judged"
    except DaveError as error:
        raise AssertionError(
            f"validate took {options!r}, the provider refused it: {error.user_line()}"
        ) from None
    assert verdict is None, f"validate refused ({verdict}), the Studio sent it"
    after = trace(server, home)
    assert after.posts == before.posts + 1
    assert after.jobs == before.jobs + 1
    assert result.job.state.value in ("done", "submitted")
    event("passed")
    return "passed"


@pytest.fixture
def both(minimax: EmulatorServer, stability: EmulatorServer) -> EmulatorServer:
    """One emulator serves both providers; dave is pointed at both prefixes."""
    minimax.config.video_ready_s = 0.05
    return minimax


# --- the tables --------------------------------------------------------------------------------

MM = {"provider": "minimax"}
ST = {"provider": "stability"}
#: (verb, the options around the field) for every new request kind.
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "mm-image": ("image", {**MM, "prompt": "a fox"}),
    "mm-video": ("video", {**MM, "prompt": "a lake"}),
    "mm-i2v": (
        "video", {**MM, "prompt": "a lake", "model": "MiniMax-Hailuo-02", "image": "@frame"}),
    "mm-music": ("music", {**MM, "prompt": "jazz", "lyrics": "[Verse]\nla la"}),
    "mm-lyrics": ("lyrics", {**MM, "prompt": "a song about foxes"}),
    "st-core": ("image", {**ST, "prompt": "a fox"}),
    "st-sd3": ("image", {**ST, "prompt": "a fox", "model": "sd3.5-large"}),
    "st-sd3-i2i": ("image", {**ST, "prompt": "a fox", "model": "sd3.5-large", "image": "@png"}),
    "st-erase": ("edit", {**ST, "prompt": "", "images": ["@png"], "op": "erase"}),
    "st-inpaint": ("edit", {**ST, "prompt": "a hat", "images": ["@png"], "mask": "@mask"}),
    "st-outpaint": ("edit", {**ST, "prompt": "", "images": ["@png"], "op": "outpaint", "left": 8}),
    "st-upscale-fast": ("upscale", {**ST, "image": "@png"}),
    "st-upscale-creative": ("upscale", {**ST, "image": "@png", "mode": "creative", "prompt": "x"}),
    "st-upscale-conservative": (
        "upscale", {**ST, "image": "@png", "mode": "conservative", "prompt": "x"}),
    "st-sketch": ("control", {**ST, "image": "@png", "prompt": "a house", "mode": "sketch"}),
    "st-style": ("control", {**ST, "image": "@png", "prompt": "a house", "mode": "style"}),
    "st-audio": ("music", {**ST, "prompt": "rain", "duration": 2}),
    "st-audio-a2a": ("music", {**ST, "prompt": "rain", "duration": 8, "reference": "@song"}),
    "st-audio-3": ("music", {**ST, "prompt": "rain", "duration": 2, "model": "stable-audio-3"}),
}  # fmt: skip

#: (kind, field) for every number a new kind takes.
NUMBERS = [
    ("mm-image", "seed"), ("mm-image", "width"), ("mm-image", "n"), ("mm-image", "style_weight"),
    ("mm-video", "duration"), ("mm-i2v", "duration"),
    ("mm-music", "sample_rate"), ("mm-music", "bitrate"),
    ("st-core", "seed"), ("st-sd3", "cfg_scale"), ("st-sd3-i2i", "strength"),
    ("st-erase", "grow_mask"), ("st-inpaint", "grow_mask"),
    ("st-outpaint", "left"), ("st-outpaint", "right"), ("st-outpaint", "up"),
    ("st-outpaint", "down"), ("st-outpaint", "creativity"),
    ("st-upscale-creative", "creativity"), ("st-upscale-conservative", "creativity"),
    ("st-upscale-creative", "seed"),
    ("st-sketch", "control_strength"), ("st-style", "fidelity"),
    ("st-audio", "duration"), ("st-audio", "steps"), ("st-audio", "cfg_scale"),
    ("st-audio-a2a", "strength"), ("st-audio-a2a", "mask_start"), ("st-audio-a2a", "mask_end"),
    ("st-audio-3", "duration"), ("st-audio-3", "seed"),
]  # fmt: skip

#: (kind, field, valid choices) for every choice a new kind takes.
CHOICES: list[tuple[str, str, tuple[str, ...]]] = [
    ("mm-image", "aspect_ratio", ("1:1", "16:9", "21:9", "9:16")),
    ("mm-image", "style", ("漫画", "水彩")),
    ("mm-video", "resolution", ("768P", "1080P", "512P")),
    ("mm-lyrics", "mode", ("write", "edit")),
    ("st-core", "aspect_ratio", ("1:1", "16:9", "21:9", "9:21")),
    ("st-core", "style", STYLE_PRESETS[:3]),
    ("st-core", "output_format", ("png", "jpeg", "webp")),
    ("st-erase", "op", ("erase", "outpaint", "remove-background", "inpaint")),
    ("st-upscale-fast", "mode", ("fast", "conservative", "creative")),
    ("st-sketch", "mode", ("sketch", "structure", "style")),
    ("st-audio", "output_format", ("mp3", "wav")),
    ("st-audio", "model", ("stable-audio-2", "stable-audio-2.5", "stable-audio-3")),
]


def _options(kind: str, sources: dict[str, str], **changes: Any) -> tuple[str, dict[str, Any]]:
    verb, base = KINDS[kind]
    return verb, _fill({**base, **changes}, sources)


# --- the proofs ----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(prompt=refused_prompts, kind=st.sampled_from(sorted(KINDS)))
def test_a_refused_prompt_never_leaves_the_machine(
    prompt: str, kind: str, both: EmulatorServer, dave_home: Path, sources: dict[str, str]
) -> None:
    verb, options = _options(kind, sources, prompt=prompt)
    verdict = through_studio(both, dave_home, verb, options)
    # A blank prompt is fine where the prompt is optional (erase, a song with lyrics, ...), and
    # 8 kB is within Stability's 10 000 characters; NUL, a lone surrogate or 10 001+ never are.
    unsendable = "\x00" in prompt or any(0xD800 <= ord(ch) <= 0xDFFF for ch in prompt)
    if unsendable or len(prompt) > STABILITY_PROMPT_MAX:
        assert verdict == "refused"  # and `through_studio` saw nothing sent, kept or written


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(prompt=any_prompts, kind=st.sampled_from(sorted(KINDS)))
def test_any_prompt_is_refused_before_the_wire_or_taken_by_the_provider(
    prompt: str, kind: str, both: EmulatorServer, dave_home: Path, sources: dict[str, str]
) -> None:
    verb, options = _options(kind, sources, prompt=prompt)
    through_studio(both, dave_home, verb, options)


@settings(max_examples=120, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(case=st.sampled_from(NUMBERS), value=any_number)
def test_any_number_is_refused_before_the_wire_or_taken_by_the_provider(
    case: tuple[str, str], value: Any, both: EmulatorServer, dave_home: Path,
    sources: dict[str, str],
) -> None:  # fmt: skip
    kind, field = case
    extra = {"height": value} if field == "width" else {}
    verb, options = _options(kind, sources, **{field: value}, **extra)
    through_studio(both, dave_home, verb, options)


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(data=st.data(), case=st.sampled_from(CHOICES))
def test_any_choice_is_refused_before_the_wire_or_taken_by_the_provider(
    data: st.DataObject, case: tuple[str, str, tuple[str, ...]], both: EmulatorServer,
    dave_home: Path, sources: dict[str, str],
) -> None:  # fmt: skip
    kind, field, valid = case
    value = data.draw(st.one_of(st.sampled_from(valid), any_choice_text), label=field)
    verb, options = _options(kind, sources, **{field: value})
    through_studio(both, dave_home, verb, options)


#: Image sizes around Stability's limits: tiny, thin, past the pixel caps, extreme aspects.
hostile_sizes = st.one_of(
    st.tuples(st.integers(1, 80), st.integers(1, 80)),
    st.tuples(st.integers(32, 700), st.integers(32, 700)),
    st.tuples(st.integers(1, 40), st.integers(600, 4200)),
    st.tuples(st.integers(600, 4200), st.integers(1, 40)),
    st.sampled_from([(63, 64), (64, 63), (64, 64), (4096, 4096), (1, 1), (2500, 100)]),
)
IMAGE_SOURCES = [
    "st-sd3-i2i", "st-erase", "st-outpaint", "st-upscale-fast", "st-upscale-creative",
    "st-upscale-conservative", "st-sketch", "mm-i2v",
]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(size=hostile_sizes, kind=st.sampled_from(IMAGE_SOURCES))
def test_a_source_image_of_any_size_is_refused_before_the_wire_or_taken_by_the_provider(
    size: tuple[int, int], kind: str, both: EmulatorServer, dave_home: Path,
    sources: dict[str, str], tmp_path: Path,
) -> None:  # fmt: skip
    path = tmp_path / f"sized-{next(serials)}.png"
    Image.new("L", size, 128).save(path, format="PNG")
    field = "images" if KINDS[kind][0] == "edit" else "image"
    value: Any = [str(path)] if field == "images" else str(path)
    verb, options = _options(kind, sources, **{field: value})
    options.pop("mask", None)
    through_studio(both, dave_home, verb, options)


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(
    junk=st.binary(max_size=2048),
    suffix=st.sampled_from([".mp3", ".wav", ".flac", ".png", ""]),
    kind=st.sampled_from(["mm-music", "st-audio-a2a", "mm-lyrics"]),
)
def test_audio_that_is_not_audio_is_refused_before_the_wire(
    junk: bytes, suffix: str, kind: str, both: EmulatorServer, dave_home: Path,
    sources: dict[str, str], tmp_path: Path,
) -> None:  # fmt: skip
    path = tmp_path / f"not-audio-{next(serials)}{suffix}"
    path.write_bytes(junk)
    field = "track" if kind == "mm-lyrics" else "reference"
    verb, options = _options(kind, sources, **{field: str(path)})
    if kind == "mm-lyrics":
        options.pop("prompt")
    assert through_studio(both, dave_home, verb, options) == "refused"


# --- the command line, in process ----------------------------------------------------------------

CLI_CASES = [
    ["image", "a fox", "--provider", "minimax", "--width", "100", "--height", "100"],
    ["image", "a fox", "--provider", "minimax", "--count", "10"],
    ["image", "a fox", "--provider", "minimax", "--aspect-ratio", "7:3"],
    ["video", "a lake", "--provider", "minimax", "--duration", "7"],
    ["video", "a lake", "--provider", "minimax", "--resolution", "4K"],
    ["image", "a fox", "--provider", "stability", "--style", "vaporwave"],
    ["image", "a fox", "--provider", "stability", "--output-format", "gif"],
    ["upscale", "@png", "--mode", "imaginative"],
    ["upscale", "@png", "--mode", "creative", "--creativity", "3"],
    ["upscale", "@huge"],
    ["control", "@png", "a house", "--mode", "doodle"],
    ["music", "rain", "--provider", "stability", "--duration", "-4"],
    ["music", "rain", "--provider", "stability", "--steps", "1e9"],
    ["music", "", "--provider", "minimax"],
    ["lyrics", "", "--provider", "minimax", "--track", "@junk"],
]


@pytest.mark.parametrize("argv", CLI_CASES, ids=[" ".join(a) for a in CLI_CASES])
def test_hostile_arguments_fail_in_one_line_and_touch_nothing(
    argv: list[str], both: EmulatorServer, dave_home: Path, tmp_path: Path,
    sources: dict[str, str],
) -> None:  # fmt: skip
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\x00not audio at all" * 40)
    huge = tmp_path / "huge.png"
    Image.new("L", (5000, 5000), 1).save(huge, format="PNG")
    places = {"@png": sources["png"], "@junk": str(junk), "@huge": str(huge)}
    argv = [places.get(arg, arg) for arg in argv]
    before = trace(both, dave_home)
    ran = dave_in_process(argv)
    assert_clear_failure(ran)
    assert_untouched(before, both, dave_home)
