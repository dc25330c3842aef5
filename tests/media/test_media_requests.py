"""Requests: what validation accepts, what it fills in, and the one line it says when it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dave.core.errors import InvalidRequest
from dave.media.requests import (
    EditRequest,
    ImageRequest,
    VideoRequest,
    parse_request,
)
from dave.media.validation import validate
from dave.media.xai.options import Keyframe

IMAGE_RATIOS = "1:1 16:9 9:16 4:3 3:4 3:2 2:3 2:1 1:2 19.5:9 9:19.5 20:9 9:20 auto".split()  # noqa: SIM905
VIDEO_RATIOS = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"]
V15 = "grok-imagine-video-1.5"


def refused(request: Any, *, check_files: bool = False) -> str:
    """The one line validation answers with; fails the test if it accepts."""
    with pytest.raises(InvalidRequest) as caught:
        validate(request, check_files=check_files)
    message = str(caught.value)
    assert "\n" not in message
    return message


def video(**fields: Any) -> dict[str, Any]:
    return {"kind": "video", "prompt": "a fox runs", **fields}


# --- images -------------------------------------------------------------------------------


def test_defaults_are_filled_and_the_prompt_stripped() -> None:
    resolved = validate(ImageRequest(prompt="  a red kite \n"))
    assert resolved.request.model == "grok-imagine-image"
    assert resolved.request.prompt == "a red kite"
    assert resolved.model == "grok-imagine-image" and resolved.kind == "image"
    assert resolved.mode is None and resolved.warnings == () and resolved.sources == {}
    assert resolved.estimated_cost_usd == pytest.approx(0.02)


@pytest.mark.parametrize("ratio", IMAGE_RATIOS)
def test_every_documented_image_aspect_ratio_is_accepted(ratio: str) -> None:
    assert validate(ImageRequest(prompt="p", aspect_ratio=ratio)).request.aspect_ratio == ratio


def test_an_unknown_aspect_ratio_is_refused_naming_the_allowed_ones() -> None:
    message = refused(ImageRequest(prompt="p", aspect_ratio="5:4"))
    assert message.startswith(
        "aspect_ratio '5:4' is not supported by grok-imagine-image; use one of 1:1, 16:9,"
    )
    assert message.endswith("9:20, auto")


@pytest.mark.parametrize("n", [0, 11, -1])
def test_n_outside_1_to_10_is_refused(n: int) -> None:
    assert refused(ImageRequest(prompt="p", n=n)) == f"n must be between 1 and 10, got {n}"


def test_n_of_10_is_accepted_and_priced() -> None:
    assert validate(ImageRequest(prompt="p", n=10)).estimated_cost_usd == pytest.approx(0.2)


def test_resolution_is_tidied_and_checked() -> None:
    assert validate(ImageRequest(prompt="p", resolution=" 2K ")).request.resolution == "2k"
    assert "resolution '4k' is not supported by grok-imagine-image; use one of 1k, 2k" in refused(
        ImageRequest(prompt="p", resolution="4k")
    )


def test_quality_only_goes_to_a_model_with_tiers() -> None:
    message = refused(ImageRequest(prompt="p", quality="high"))
    assert message == (
        "quality is not supported by grok-imagine-image; leave it unset "
        "(grok-imagine-image-2.0 has it)"
    )
    ok = validate(ImageRequest(prompt="p", model="grok-imagine-image-2.0", quality="HIGH"))
    assert ok.request.quality == "high"
    assert "use one of low, medium, high" in refused(
        ImageRequest(prompt="p", model="grok-imagine-image-2.0", quality="ultra")
    )


def test_the_deprecated_pro_model_works_with_a_warning() -> None:
    resolved = validate(ImageRequest(prompt="p", model="grok-imagine-image-pro"))
    assert resolved.warnings == (
        "grok-imagine-image-pro is deprecated by x.ai as of 2026-05-15; "
        "use grok-imagine-image-quality",
    )


def test_a_video_model_cannot_make_images() -> None:
    assert refused(ImageRequest(prompt="p", model="grok-imagine-video")) == (
        "grok-imagine-video cannot make image requests; use one of grok-imagine-image, "
        "grok-imagine-image-quality, grok-imagine-image-pro, grok-imagine-image-2.0"
    )


def test_prompt_rules() -> None:
    assert refused(ImageRequest(prompt=" \t\n ")) == "prompt is empty"
    assert (
        refused(ImageRequest(prompt="a\x00b")) == "prompt contains a NUL character (at position 1)"
    )
    assert "lone surrogate" in refused(ImageRequest(prompt="a\ud800"))
    assert refused(ImageRequest(prompt="x" * 8001)) == (
        "prompt is 8,001 characters; grok-imagine-image takes at most 8,000"
    )
    assert validate(ImageRequest(prompt="x" * 8000)).request.prompt == "x" * 8000
    assert validate(ImageRequest(prompt="שלום 🦊 مرحبا")).request.prompt == "שלום 🦊 مرحبا"


# --- edits --------------------------------------------------------------------------------


def test_four_edit_images_are_refused() -> None:
    request = EditRequest(prompt="p", images=["a.png", "b.png", "c.png", "d.png"])
    assert refused(request) == "images: at most 3 source images, got 4"


def test_an_edit_without_images_is_refused() -> None:
    assert refused(EditRequest(prompt="p", images=[])) == (
        "images: an edit needs at least 1 source image, got none"
    )


def test_edit_sources_are_checked_and_made_absolute(
    png: Path, jpeg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(png.parent)
    resolved = validate(
        EditRequest(prompt="swap", images=[png.name, str(jpeg), "https://e.x/a.png"])
    )
    assert resolved.request.images == [str(png.resolve()), str(jpeg.resolve()), "https://e.x/a.png"]
    assert resolved.sources["images[0]"].mime == "image/png"
    assert resolved.sources["images[1]"].mime == "image/jpeg"
    assert resolved.sources["images[2]"].kind == "url"
    assert resolved.estimated_cost_usd == pytest.approx(0.08)


def test_a_missing_edit_source_is_refused_naming_its_field_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    message = refused(EditRequest(prompt="p", images=[str(missing)]), check_files=True)
    assert message == f"images[0]: image file not found: {missing}"


def test_a_single_image_edit_warns_that_the_ratio_is_ignored(png: Path) -> None:
    resolved = validate(EditRequest(prompt="p", images=[str(png)], aspect_ratio="16:9"))
    assert resolved.warnings == (
        "aspect_ratio is ignored: a single-image edit keeps its source's ratio",
    )


# --- video --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "mode"),
    [
        ({}, "text"),
        ({"image": "https://e.x/f.png"}, "image"),
        ({"references": ["https://e.x/r.png"]}, "reference"),
        ({"edit_video": "https://e.x/v.mp4"}, "edit"),
        ({"extend_video": "https://e.x/v.mp4"}, "extend"),
    ],
)
def test_the_inputs_choose_the_mode(fields: dict[str, Any], mode: str) -> None:
    assert VideoRequest(prompt="p", **fields).mode == mode
    assert validate(video(**fields)).mode == mode


def test_video_defaults_are_filled() -> None:
    resolved = validate(video())
    assert resolved.request.model == "grok-imagine-video"
    assert resolved.estimated_cost_usd == pytest.approx(0.40)


def test_two_mode_inputs_conflict_and_the_message_names_them() -> None:
    message = refused(video(image="a.png", edit_video="b.mp4"))
    assert message.startswith("image and edit_video cannot be combined; use at most one of image")
    message = refused(video(image="a.png", references=["r.png"], extend_video="v.mp4"))
    assert message.startswith("image, references and extend_video cannot be combined")


@pytest.mark.parametrize("ratio", VIDEO_RATIOS)
def test_every_documented_video_aspect_ratio_is_accepted(ratio: str) -> None:
    assert validate(video(aspect_ratio=ratio)).request.aspect_ratio == ratio


def test_an_image_only_ratio_is_refused_for_video() -> None:
    assert refused(video(aspect_ratio="21:9")).startswith(
        "aspect_ratio '21:9' is not supported by grok-imagine-video text-to-video; use one of 1:1,"
    )


def test_duration_out_of_range_names_the_mode_and_range() -> None:
    assert refused(video(duration=20)) == (
        "duration 20 s is out of range for grok-imagine-video text-to-video (1–15 s)"
    )
    assert refused(video(duration=0)).startswith("duration 0 s is out of range")
    assert validate(video(duration=15)).request.duration == 15


def test_reference_video_is_at_most_10_seconds() -> None:
    refs = {"references": ["https://e.x/r.png"]}
    assert validate(video(duration=10, **refs)).request.duration == 10
    assert refused(video(duration=11, **refs)) == (
        "duration 11 s is out of range for grok-imagine-video reference-to-video (1–10 s)"
    )


def test_at_most_seven_references() -> None:
    refs = [f"https://e.x/{i}.png" for i in range(8)]
    assert refused(video(references=refs)) == "references: at most 7 reference images, got 8"
    assert validate(video(references=refs[:7])).mode == "reference"


def test_1080p_is_only_on_video_1_5_for_text_and_image() -> None:
    assert refused(video(resolution="1080p")) == (
        "resolution '1080p' is not supported by grok-imagine-video text-to-video; "
        "use one of 480p, 720p (grok-imagine-video-1.5 has it)"
    )
    assert validate(video(model=V15, resolution="1080P")).request.resolution == "1080p"
    assert validate(video(model=V15, image="https://e.x/f.png", resolution="1080p"))
    assert refused(video(model=V15, references=["https://e.x/r.png"], resolution="1080p")) == (
        "resolution '1080p' is not supported by grok-imagine-video-1.5 reference-to-video; "
        "use one of 480p, 720p"
    )


def test_edits_and_extensions_refuse_output_settings() -> None:
    edit = {"edit_video": "https://e.x/v.mp4"}
    assert refused(video(duration=5, **edit)) == (
        "duration is not accepted for video edit (the output keeps the input's length)"
    )
    assert refused(video(resolution="720p", **edit)).startswith(
        "resolution is not accepted for video edit (the output follows the input video"
    )
    extend = {"extend_video": "https://e.x/v.mp4"}
    assert refused(video(aspect_ratio="1:1", **extend)).startswith(
        "aspect_ratio is not accepted for video extension"
    )
    assert refused(video(generate_audio=False, **extend)).startswith(
        "generate_audio is not accepted for video extension"
    )


def test_extension_adds_2_to_10_seconds() -> None:
    extend = {"extend_video": "https://e.x/v.mp4"}
    assert refused(video(duration=1, **extend)) == (
        "duration 1 s is out of range for grok-imagine-video video extension (2–10 s)"
    )
    assert validate(video(duration=10, **extend)).request.duration == 10


def test_a_set_ratio_on_image_to_video_warns_that_it_stretches() -> None:
    resolved = validate(video(image="https://e.x/f.png", aspect_ratio="1:1"))
    assert resolved.warnings == (
        "aspect_ratio stretches the first frame; unset, the video keeps its ratio",
    )


def test_video_prompt_is_capped_at_4096_characters() -> None:
    assert validate(video(prompt="y" * 4096)).request.prompt == "y" * 4096
    assert refused(video(prompt="y" * 4097)) == (
        "prompt is 4,097 characters; grok-imagine-video takes at most 4,096"
    )


def test_an_empty_prompt_is_allowed_only_when_1_5_has_a_pinned_frame() -> None:
    assert validate(video(model=V15, prompt=" ", image="https://e.x/f.png")).request.prompt == ""
    assert refused(video(prompt="", image="https://e.x/f.png")) == "prompt is empty"
    assert refused(video(model=V15, prompt="")) == "prompt is empty"
    assert (
        refused(video(model=V15, prompt="", references=["https://e.x/r.png"])) == "prompt is empty"
    )


def keyframes(*times: float) -> list[dict[str, Any]]:
    return [{"image": f"https://e.x/k{i}.png", "at_s": t} for i, t in enumerate(times)]


def test_keyframes_and_last_frame_need_video_1_5() -> None:
    assert refused(video(keyframes=keyframes(1))) == (
        "keyframes is not supported by grok-imagine-video (grok-imagine-video-1.5 has it)"
    )
    assert refused(video(last_frame="https://e.x/l.png")) == (
        "last_frame is not supported by grok-imagine-video (grok-imagine-video-1.5 has it)"
    )
    resolved = validate(
        video(model=V15, last_frame="https://e.x/l.png", keyframes=keyframes(1, 2.5))
    )
    assert [k.at_s for k in resolved.request.keyframes] == [1, 2.5]


def test_keyframe_rules() -> None:
    assert (
        refused(video(model=V15, keyframes=keyframes(1, 2, 3, 4, 5)))
        == "keyframes: at most 4, got 5"
    )
    assert refused(video(model=V15, keyframes=keyframes(0))) == (
        "keyframes[0].at_s 0 s must be after 0 and before the end (8 s)"
    )
    assert refused(video(model=V15, duration=4, keyframes=keyframes(1, 4))).startswith(
        "keyframes[1].at_s 4 s must be after 0"
    )
    assert refused(video(model=V15, keyframes=keyframes(2, 1.1, 1.2))) == (
        "keyframes at 1.1 s and 1.2 s are 0.10 s apart; keep them at least 0.33 s apart"
    )
    assert refused(video(model=V15, references=["https://e.x/r.png"], keyframes=keyframes(1))) == (
        "keyframes is not accepted for reference-to-video (use it with text- or image-to-video)"
    )
    assert "finite" in refused(video(model=V15, keyframes=keyframes(float("inf"))))


def test_reference_audio_rules() -> None:
    assert refused(video(reference_audios=["ara"])).startswith(
        "reference_audios is not supported by grok-imagine-video"
    )
    assert validate(video(model=V15, reference_audios=["ara", "leo", "eve"]))
    assert (
        refused(video(model=V15, reference_audios=["a", "b", "c", "d"]))
        == "reference_audios: at most 3, got 4"
    )
    assert refused(video(model=V15, reference_audios=["ara"], generate_audio=False)) == (
        "reference_audios need sound; drop generate_audio=false"
    )
    assert (
        refused(video(model=V15, reference_audios=["<b>"]))
        == "reference_audios[0] '<b>' is not a voice id"
    )


def test_a_long_local_video_cannot_be_edited(make_mp4: Any) -> None:
    clip = make_mp4(10)
    assert refused(video(edit_video=str(clip)), check_files=True) == (
        f"edit_video {clip} is 10 s long; video edit takes at most 8.7 s"
    )
    resolved = validate(video(edit_video=str(make_mp4(2))))
    assert resolved.sources["edit_video"].duration_s == 2
    assert resolved.estimated_cost_usd == pytest.approx(2 * 0.07)


def test_an_extension_input_must_be_2_to_15_seconds(make_mp4: Any) -> None:
    short = make_mp4(1)
    assert refused(video(extend_video=str(short)), check_files=True) == (
        f"extend_video {short} is 1 s long; video extension takes 2–15 s"
    )
    assert validate(video(extend_video=str(make_mp4(3)))).mode == "extend"


def test_video_sources_are_checked_as_their_medium(png: Path, mp4: Path) -> None:
    message = refused(video(edit_video=str(png)), check_files=True)
    assert message.startswith(f"edit_video: video file {png}")
    message = refused(video(image=str(mp4)), check_files=True)
    assert message.startswith(f"image: image file {mp4}: not a decodable image")
    message = refused(
        video(model=V15, keyframes=[{"image": str(mp4), "at_s": 1}]), check_files=True
    )
    assert message.startswith("keyframes[0].image: image file")


# --- pydantic's errors become one line ----------------------------------------------------


def test_an_unknown_field_is_named_with_the_known_ones() -> None:
    with pytest.raises(InvalidRequest) as caught:
        ImageRequest(prompt="p", size="1024x1024")  # type: ignore[call-arg]
    message = str(caught.value)
    assert message.startswith("unknown field 'size'; known fields: ")
    assert "provider, model, prompt, n," in message


def test_type_errors_are_one_readable_line() -> None:
    with pytest.raises(InvalidRequest, match=r"^n must be a whole number, got 'three'$"):
        ImageRequest(prompt="p", n="three")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^n must be a whole number, got True$"):
        ImageRequest(prompt="p", n=True)
    with pytest.raises(InvalidRequest, match=r"^prompt is required$"):
        ImageRequest()  # type: ignore[call-arg]
    with pytest.raises(
        InvalidRequest, match=r"^response_format must be 'url' or 'b64_json', got 'png'$"
    ):
        ImageRequest(prompt="p", response_format="png")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^keyframes\[0\]\.at_s is required$"):
        VideoRequest(prompt="p", keyframes=[{"image": "a.png"}])  # type: ignore[list-item]
    with pytest.raises(InvalidRequest, match=r"^at_s must be a finite number, got nan$"):
        Keyframe(image="a", at_s=float("nan"))


def test_many_errors_are_summarised() -> None:
    with pytest.raises(InvalidRequest) as caught:
        VideoRequest.model_validate({"prompt": 1, "duration": "x", "image": 2, "a": 1, "b": 2})
    message = str(caught.value)
    assert message.startswith("prompt must be text, got 1; image must be text, got 2; duration")
    assert message.endswith("(and 2 more)") and "\n" not in message


def test_model_validate_and_json_raise_invalid_request() -> None:
    with pytest.raises(InvalidRequest, match="prompt must be text"):
        ImageRequest.model_validate({"prompt": None})
    with pytest.raises(InvalidRequest, match="invalid JSON"):
        ImageRequest.model_validate_json('{"prompt": ')


def test_parse_request_picks_the_kind_and_explains_a_bad_one() -> None:
    assert isinstance(parse_request({"prompt": "p"}), ImageRequest)
    assert isinstance(
        parse_request('{"kind": "edit", "prompt": "p", "images": ["a"]}'), EditRequest
    )
    assert isinstance(parse_request(b'{"kind": "video", "prompt": "p"}'), VideoRequest)
    with pytest.raises(
        InvalidRequest,
        match=r"^kind must be one of 'image', 'edit', 'video', 'upscale', 'control', 'music', "
        r"'lyrics', got 'song'$",
    ):
        parse_request({"kind": "song", "prompt": "p"})
    with pytest.raises(InvalidRequest, match=r"^images is required$"):
        parse_request({"kind": "edit"})
    with pytest.raises(InvalidRequest, match=r"^request is not valid JSON"):
        parse_request("{nope")
    with pytest.raises(InvalidRequest, match=r"^a request must be an object, got list$"):
        parse_request("[1, 2]")


def test_a_resolved_request_survives_a_json_round_trip(png: Path) -> None:
    resolved = validate(
        video(model=V15, image=str(png), keyframes=[{"image": str(png), "at_s": 2}], duration=6)
    )
    again = parse_request(resolved.request.model_dump_json())
    assert again == resolved.request
    assert validate(again).request == resolved.request


def test_every_request_field_has_a_description() -> None:
    for model in (ImageRequest, EditRequest, VideoRequest, Keyframe):
        schema = model.model_json_schema()
        for name, field in schema["properties"].items():
            assert field.get("description"), f"{model.__name__}.{name} has no docstring"
