"""Hostile input: whatever comes in, validation gives a resolved request or InvalidRequest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dave.core.errors import InvalidRequest
from dave.media.requests import parse_request
from dave.media.rule_checks import ResolvedRequest
from dave.media.sources import Source, check_source
from dave.media.validation import validate

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# every code point, lone surrogates and control characters included
any_char = st.characters(exclude_categories=[])
hostile_text = st.one_of(
    st.text(any_char, max_size=200),
    st.text(
        st.sampled_from("\x00\x07\x1b\u202e\u200f\u2066שלוםمرحبا🦊👩‍👩‍👧\ufeff \t\n"), max_size=60
    ),
    st.builds(
        lambda chunk, times: chunk * times,
        st.text(any_char, min_size=1, max_size=8),
        st.integers(500, 3000),
    ),
)
any_int = st.integers(min_value=-(2**70), max_value=2**70)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_char, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "kind", "provider", "model", "prompt", "n", "aspect_ratio", "resolution", "response_format",
    "quality", "images", "image", "references", "last_frame", "keyframes", "reference_audios",
    "edit_video", "extend_video", "duration", "generate_audio",
]  # fmt: skip


def outcome(call: Callable[[], Any]) -> Any:
    """The result, or None after an InvalidRequest; anything else escapes and fails the test."""
    try:
        return call()
    except InvalidRequest as err:
        assert err.message and "\n" not in err.message
        return None


@SETTINGS
@given(prompt=hostile_text, n=any_int)
def test_any_image_prompt_and_count_resolve_or_are_refused(prompt: str, n: int) -> None:
    resolved = outcome(lambda: validate({"prompt": prompt, "n": n}, check_files=False))
    if resolved is not None:
        assert isinstance(resolved, ResolvedRequest)
        assert resolved.request.prompt == prompt.strip() != ""
        assert "\x00" not in resolved.request.prompt and len(resolved.request.prompt) <= 8000
        assert 1 <= resolved.request.n <= 10


@SETTINGS
@given(
    prompt=hostile_text,
    duration=st.none() | any_int,
    model=st.sampled_from([None, "grok-imagine-video", "grok-imagine-video-1.5"]),
    at_s=st.floats(allow_nan=True, allow_infinity=True),
    mode=st.sampled_from(["text", "image", "references", "edit_video", "extend_video"]),
)
def test_any_video_request_resolves_or_is_refused(
    prompt: str, duration: int | None, model: str | None, at_s: float, mode: str
) -> None:
    fields: dict[str, Any] = {
        "kind": "video",
        "prompt": prompt,
        "duration": duration,
        "model": model,
    }
    if mode != "text":
        fields[mode] = ["https://e.x/r.png"] if mode == "references" else "https://e.x/input"
    if model == "grok-imagine-video-1.5" and mode in ("text", "image"):
        fields["keyframes"] = [{"image": "https://e.x/k.png", "at_s": at_s}]
    resolved = outcome(lambda: validate(fields, check_files=False))
    if resolved is not None:
        assert len(resolved.request.prompt) <= 4096
        assert resolved.mode == {"text": "text", "image": "image", "references": "reference"}.get(
            mode, mode.split("_")[0]
        )
        assert resolved.estimated_cost_usd is None or resolved.estimated_cost_usd >= 0


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), json_value, max_size=8))
def test_any_dict_parses_or_is_refused(data: dict[str, Any]) -> None:
    outcome(lambda: validate(data, check_files=False))
    outcome(lambda: parse_request(data))


@SETTINGS
@given(st.text(any_char, max_size=300) | st.binary(max_size=64).map(lambda b: b.decode("latin-1")))
def test_any_json_text_parses_or_is_refused(text: str) -> None:
    outcome(lambda: parse_request(text))


@SETTINGS
@given(
    value=st.one_of(
        hostile_text,
        st.builds(lambda s: f"https://{s}", st.text(any_char, max_size=40)),
        st.builds(lambda s: f"data:image/png;base64,{s}", st.text(any_char, max_size=80)),
        st.builds(lambda s: f"{s}:{s}", st.text(any_char, max_size=10)),
    ),
    medium=st.sampled_from(["image", "video"]),
)
def test_any_source_string_is_a_source_or_refused(value: str, medium: str) -> None:
    source = outcome(lambda: check_source(value, medium))  # type: ignore[arg-type]
    assert source is None or isinstance(source, Source)
