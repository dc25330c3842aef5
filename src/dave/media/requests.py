"""Provider-neutral media requests: the models, parsing them, and their errors as one line.

Not for checking a request against the capability table (validation.py), wire formats (providers/)
nor running a request (the Studio): nothing here spends money.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from dave.core.errors import InvalidRequest
from dave.media.capabilities import VideoMode
from dave.media.sources import SourceMedium

# --- turning pydantic's errors into one line -----------------------------------------------


def _loc(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "request"


def shown_value(value: object) -> str:
    """A value as an error message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


_PLAIN = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
}


def _one_error(error: Mapping[str, Any], known: tuple[str, ...]) -> str:
    kind, where = error["type"], _loc(tuple(error["loc"]))
    if kind == "missing":
        return f"{where} is required"
    if kind == "extra_forbidden":
        hint = f"; known fields: {', '.join(known)}" if known and "." not in where else ""
        return f"unknown field {where!r}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("tag", "nothing")
        kinds = "'image', 'edit', 'video', 'upscale', 'control', 'music', 'lyrics'"
        return f"kind must be one of {kinds}, got {shown_value(tag)}"
    if kind == "literal_error":
        return f"{where} must be {error['ctx']['expected']}, got {shown_value(error['input'])}"
    message = _PLAIN.get(kind) or str(error["msg"])[:1].lower() + str(error["msg"])[1:]
    return f"{where} {message}, got {shown_value(error['input'])}"


def validation_error_line(
    err: ValidationError, known: tuple[str, ...] = (), *, drop_first: bool = False
) -> str:
    """Pydantic's many-line report as one line a person (or an agent) can act on.

    `known` lists the model's fields for an unknown-field hint; `drop_first` strips the tag a
    discriminated union puts first in each location.
    """
    lines = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])[1:] if drop_first else tuple(error["loc"])
        lines.append(_one_error({**error, "loc": loc}, known))
    extra = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "; ".join(lines[:3]) + extra


def invalid_request(err: ValidationError, known: tuple[str, ...] = ()) -> InvalidRequest:
    """The InvalidRequest that stands for a pydantic ValidationError."""
    return InvalidRequest(validation_error_line(err, known))


def _whole_number(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take True as 1
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class _Model(BaseModel):
    """Raises InvalidRequest, never ValidationError, from every way of building a model."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise invalid_request(err, tuple(type(self).model_fields)) from None

    # Marks this __init__ as pydantic's own (RootModel does the same), so nested models and
    # TypeAdapters validate straight through the core and keep each error's full location.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]  # a function attribute

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as err:
            raise invalid_request(err, tuple(cls.model_fields)) from None


# --- the requests --------------------------------------------------------------------------


class _Tuning(_Model):
    """Knobs several providers share under one name (each provider refuses those it lacks)."""

    seed: WholeNumber | None = None
    """MiniMax, Stability: the same seed and settings give a similar result (Stability: 0 to
    4,294,967,294, 0 = random). Unset: random."""
    negative_prompt: str | None = None
    """Stability: what the output should not show, up to 10,000 characters."""
    style: str | None = None
    """Stability: a style preset (enhance, anime, photographic, digital-art, comic-book,
    fantasy-art, line-art, analog-film, neon-punk, isometric, low-poly, origami,
    modeling-compound, cinematic, 3d-model, pixel-art, tile-texture). MiniMax image-01-live:
    an art style (comic, vibrant, medieval, watercolor)."""
    output_format: str | None = None
    """Stability images: png (default), jpeg or webp. Audio: mp3 (default) or wav."""


class _ImageFields(_Tuning):
    provider: str = "xai"
    """Who makes it: `xai` (Grok Imagine), `minimax` (image-01) or `stability` (Stable Image).
    The offline emulator stands in for each when asked."""
    model: str | None = None
    """Model id; unset uses the provider's default (x.ai: `grok-imagine-image`, $0.02/image;
    MiniMax: `image-01`; Stability: `stable-image-core`, or for an edit the route its `op`
    names)."""
    prompt: str
    """What the image should show (for an edit: what to change). Plain text, not empty."""
    n: WholeNumber = 1
    """How many images to make: x.ai 1–10, MiniMax 1–9, Stability 1; each is billed."""
    aspect_ratio: str | None = None
    """Width:height such as `16:9`. x.ai: 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 2:1, 1:2,
    19.5:9, 9:19.5, 20:9, 9:20 or auto. Unset: the provider chooses (`auto`); a single-image
    edit keeps its source's ratio."""
    resolution: str | None = None
    """Output size class: `1k` (about 1 megapixel) or `2k` (about 4). Unset: 1k."""
    response_format: Literal["url", "b64_json"] = "url"
    """How the provider returns the image: a temporary `url` (dave downloads it at once) or
    inline `b64_json`. Either way the result is a local file."""
    quality: str | None = None
    """Price/quality tier, only on models that have tiers (x.ai `grok-imagine-image-2.0`: low,
    medium, high). Leave unset for every other model."""


class ImageRequest(_ImageFields):
    """Make images from a text prompt (with MiniMax, after a character's photo; with
    Stability Ultra or SD 3.5, from an input image)."""

    kind: Literal["image"] = "image"
    """Which request this is; always `image`."""
    width: WholeNumber | None = None
    """MiniMax image-01: output width, 512–2048 px in steps of 8, with height (not with
    aspect_ratio)."""
    height: WholeNumber | None = None
    """MiniMax image-01: output height, 512–2048 px in steps of 8, with width."""
    prompt_optimizer: bool | None = None
    """MiniMax: let the service rewrite the prompt first (default off for images, on for
    videos)."""
    style_weight: float | None = None
    """MiniMax image-01-live: how strongly `style` applies, above 0 and at most 1 (0.8)."""
    subject: str | None = None
    """MiniMax: a photo of one person (a single face) to keep in the image; JPEG or PNG
    under 10 MB, as a path, http(s) URL or data URI."""
    image: str | None = None
    """Stability Ultra and SD 3.5: image-to-image from this input (needs `strength`)."""
    strength: float | None = None
    """Stability image-to-image: 0 keeps the input, 1 ignores it."""
    cfg_scale: float | None = None
    """Stability SD 3.5: how closely to follow the prompt, 1–10 (default 4; Turbo and
    Flash 1)."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        return [
            (name, getattr(self, name), "image")
            for name in ("subject", "image")
            if getattr(self, name) is not None
        ]


EditOp = Literal[
    "erase",
    "inpaint",
    "outpaint",
    "search-replace",
    "recolor",
    "remove-background",
    "relight",
]


class EditRequest(_ImageFields):
    """Change existing images: as the prompt says (x.ai, 1–3 images), or with one of
    Stability's operations on one image (`op`)."""

    kind: Literal["edit"] = "edit"
    """Which request this is; always `edit`."""
    prompt: str = ""
    """What to change (x.ai; Stability inpaint, search-replace, recolor: what to paint;
    relight: the new background, as background_prompt). Not needed for erase, outpaint and
    remove-background."""
    images: list[str]
    """The source images, 1–3 (Stability: 1), in the order the prompt refers to them: local
    file paths, http(s) URLs or `data:image/...;base64,` URIs (JPEG, PNG or WEBP)."""
    op: EditOp | None = None
    """Stability: erase, inpaint (default), outpaint, search-replace, recolor,
    remove-background or relight (replace the background and relight; asynchronous).
    x.ai: leave unset."""
    mask: str | None = None
    """Stability erase and inpaint: a greyscale mask, white = repaint, black = keep. Unset:
    the image's alpha channel (transparent = repaint)."""
    grow_mask: WholeNumber | None = None
    """Stability: pixels to grow and feather the mask by (erase 0–20, inpaint 0–100,
    search ops 0–20)."""
    search: str | None = None
    """Stability search-replace: what to replace; recolor: what to recolour."""
    left: WholeNumber | None = None
    """Stability outpaint: pixels to add on the left, 0–2000."""
    right: WholeNumber | None = None
    """Stability outpaint: pixels to add on the right, 0–2000."""
    up: WholeNumber | None = None
    """Stability outpaint: pixels to add at the top, 0–2000."""
    down: WholeNumber | None = None
    """Stability outpaint: pixels to add at the bottom, 0–2000."""
    creativity: float | None = None
    """Stability outpaint: how inventive the new parts are, 0–1 (0.5)."""
    background_prompt: str | None = None
    """Stability relight: the new background (this and/or background_reference)."""
    background_reference: str | None = None
    """Stability relight: an image whose style the new background takes."""
    foreground_prompt: str | None = None
    """Stability relight: the subject, to keep the background from bleeding into it."""
    light_reference: str | None = None
    """Stability relight: an image whose bright areas light the scene."""
    light_direction: Literal["left", "right", "above", "below"] | None = None
    """Stability relight: where the light comes from."""
    light_strength: float | None = None
    """Stability relight: 0–1 (0.3); needs light_direction or light_reference."""
    preserve_subject: float | None = None
    """Stability relight: how much of the original subject to keep, 0–1 (0.6)."""
    background_depth: float | None = None
    """Stability relight: the original background's depth of field, 0–1 (0.5)."""
    keep_background: bool | None = None
    """Stability relight: keep the original background and only relight."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        fields: list[tuple[str, str, SourceMedium]] = [
            (f"images[{i}]", image, "image") for i, image in enumerate(self.images)
        ]
        for name in ("mask", "background_reference", "light_reference"):
            if getattr(self, name) is not None:
                fields.append((name, getattr(self, name), "image"))
        return fields


class Keyframe(_Model):
    """An image the video must pass through at a given moment."""

    image: str
    """The frame: a local path, an http(s) URL or a data:image URI."""
    at_s: float
    """When, in seconds from the start; after 0 and before the video's end."""


_MODE_FIELDS: tuple[tuple[str, VideoMode, str], ...] = (
    ("image", "image", "image-to-video"),
    ("references", "reference", "reference-to-video"),
    ("edit_video", "edit", "video edit"),
    ("extend_video", "extend", "video extension"),
    ("subject", "subject", "subject-reference video"),
)


class VideoRequest(_Model):
    """Make one video: from text, from a first frame, from reference images, or by editing or
    extending an existing video. The inputs given choose the mode; use at most one of image,
    references, edit_video and extend_video."""

    kind: Literal["video"] = "video"
    """Which request this is; always `video`."""
    provider: str = "xai"
    """Who makes it: `xai` (Grok Imagine) or `minimax` (Hailuo)."""
    model: str | None = None
    """Model id; unset uses `grok-imagine-video` (480p/720p; `grok-imagine-video-1.5` adds
    1080p, last_frame, keyframes and reference_audios, at a higher price) or MiniMax's
    `MiniMax-Hailuo-2.3` (`MiniMax-Hailuo-02` for first + last frame, `S2V-01` for subject)."""
    prompt: str
    """What happens in the video (for an edit or extension: what to change or what comes
    next). Up to 4,096 characters (MiniMax: 2,000; Hailuo and Director models obey camera
    commands in brackets such as [Pan left]). May be empty on grok-imagine-video-1.5 when a frame is
    pinned with image, last_frame or keyframes."""
    image: str | None = None
    """Image-to-video: the first frame (local path, http(s) URL or data:image URI)."""
    references: list[str] = Field(default_factory=list)
    """Reference-to-video: 1–7 images of people, objects or styles to include; the prompt
    names them <IMAGE_1>, <IMAGE_2>, ... At most 10 s and 720p."""
    last_frame: str | None = None
    """The exact final frame (grok-imagine-video-1.5, text- or image-to-video; MiniMax
    MiniMax-Hailuo-02 with a first frame)."""
    keyframes: list[Keyframe] = Field(default_factory=list)
    """Up to 4 frames at set moments, at least 1/3 s apart (grok-imagine-video-1.5; text- or
    image-to-video only)."""
    reference_audios: list[str] = Field(default_factory=list)
    """Up to 3 preset voice ids (such as `ara`, `leo`, `eve`) the prompt names <AUDIO_0>..
    (grok-imagine-video-1.5)."""
    edit_video: str | None = None
    """Video edit: the MP4 to change (at most 8.7 s); the output keeps its length and ratio."""
    extend_video: str | None = None
    """Video extension: the MP4 (2–15 s long) to continue from its last frame."""
    duration: WholeNumber | None = None
    """Length in whole seconds. x.ai: 1–15 (reference-to-video 1–10; default 8); for an
    extension, the added length, 2–10 (default 6); not accepted for an edit. MiniMax: 6
    (default) or 10, as the model and resolution allow. Billed per second or per clip."""
    aspect_ratio: str | None = None
    """1:1, 16:9, 9:16, 4:3, 3:4, 3:2 or 2:3. Unset: 16:9, or the first frame's ratio (a set
    ratio stretches that image). Not accepted for edits and extensions."""
    resolution: str | None = None
    """x.ai: 480p (default) or 720p; 1080p on grok-imagine-video-1.5 for text- and
    image-to-video; not accepted for edits and extensions (they follow the input, at most
    720p). MiniMax: 512P, 720P, 768P or 1080P as the model allows (Hailuo default 768P, the
    01 series 720P)."""
    generate_audio: bool | None = None
    """False for a silent video; unset makes sound. Not accepted for edits and extensions."""
    subject: str | None = None
    """MiniMax subject-reference video (S2V-01): a photo of the one person to feature."""
    prompt_optimizer: bool | None = None
    """MiniMax: let the service rewrite the prompt first (default on)."""
    fast_pretreatment: bool | None = None
    """MiniMax Hailuo 2.3, 2.3-Fast and 02: a shorter prompt-optimizer step."""

    @property
    def mode(self) -> VideoMode:
        """text, image, reference, edit or extend; InvalidRequest if the inputs conflict."""
        given = [
            (field, mode, label)
            for field, mode, label in _MODE_FIELDS
            if getattr(self, field) not in (None, [])
        ]
        if len(given) > 1:
            names = [field for field, _, _ in given]
            both = ", ".join(names[:-1]) + f" and {names[-1]}"
            choices = ", ".join(f"{field} ({label})" for field, _, label in _MODE_FIELDS)
            raise InvalidRequest(f"{both} cannot be combined; use at most one of {choices}")
        return given[0][1] if given else "text"

    def input_image_count(self) -> int:
        """How many still images go in (first/last frame, references, keyframes)."""
        frames = (self.image is not None) + (self.last_frame is not None)
        return frames + len(self.references) + len(self.keyframes)

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        fields: list[tuple[str, str, SourceMedium]] = []
        for name, value in (("image", self.image), ("last_frame", self.last_frame)):
            if value is not None:
                fields.append((name, value, "image"))
        fields += [(f"references[{i}]", ref, "image") for i, ref in enumerate(self.references)]
        fields += [
            (f"keyframes[{i}].image", k.image, "image") for i, k in enumerate(self.keyframes)
        ]
        for name in ("edit_video", "extend_video"):
            if getattr(self, name) is not None:
                fields.append((name, getattr(self, name), "video"))
        return fields


class UpscaleRequest(_Tuning):
    """Make an image larger (Stability): fast (4×), conservative (to 4 MP, faithful) or
    creative (to 4K from a small or degraded image; asynchronous)."""

    kind: Literal["upscale"] = "upscale"
    """Which request this is; always `upscale`."""
    provider: str = "stability"
    """Who makes it: `stability`."""
    model: str | None = None
    """Leave unset: `mode` chooses the route (upscale-fast, -conservative, -creative)."""
    mode: Literal["fast", "conservative", "creative"] = "fast"
    """fast: 4× in about a second (inputs 32–1536 px a side); conservative: to 4 MP keeping
    the image as it is; creative: up to 4K, re-imagining detail (inputs up to 1 MP)."""
    image: str
    """The image to upscale: a path, an http(s) URL or a data URI (JPEG, PNG or WEBP)."""
    prompt: str = ""
    """conservative and creative: what the image shows (required); fast takes none."""
    creativity: float | None = None
    """conservative 0.2–0.5 (0.35); creative 0.1–0.5 (0.3): how much detail may be invented."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        return [("image", self.image, "image")]


class ControlRequest(_Tuning):
    """Make an image guided by another (Stability): from a sketch, keeping a structure,
    after a style guide, or redrawing one image in another's style."""

    kind: Literal["control"] = "control"
    """Which request this is; always `control`."""
    provider: str = "stability"
    """Who makes it: `stability`."""
    model: str | None = None
    """Leave unset: `mode` chooses the route."""
    mode: Literal["sketch", "structure", "style", "style-transfer"] = "sketch"
    """sketch: follow the lines of a sketch; structure: keep the image's layout; style: take
    the image's style (style guide); style-transfer: redraw `image` in `style_image`'s style."""
    image: str
    """The control image (style-transfer: the image to redraw)."""
    style_image: str | None = None
    """style-transfer: the image whose style to apply (required there, refused elsewhere)."""
    prompt: str = ""
    """What to make; required except for style-transfer."""
    control_strength: float | None = None
    """sketch, structure: how much the control image rules, 0–1 (0.7)."""
    fidelity: float | None = None
    """style: how closely the output keeps the input's style, 0–1 (0.5)."""
    aspect_ratio: str | None = None
    """style: 21:9, 16:9, 3:2, 5:4, 1:1, 4:5, 2:3, 9:16 or 9:21 (1:1)."""
    style_strength: float | None = None
    """style-transfer: 0–1 (1)."""
    composition_fidelity: float | None = None
    """style-transfer: how much of the image's composition to keep, 0–1 (0.9)."""
    change_strength: float | None = None
    """style-transfer: how much the image may change, 0.1–1 (0.9)."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        fields: list[tuple[str, str, SourceMedium]] = [("image", self.image, "image")]
        if self.style_image is not None:
            fields.append(("style_image", self.style_image, "image"))
        return fields


class MusicRequest(_Tuning):
    """Make music or sound: MiniMax songs (from a prompt and lyrics, instrumentals, covers of
    a reference track) or Stability's Stable Audio (text-to-audio; with `reference`,
    audio-to-audio; with mask_start/mask_end, inpaint)."""

    kind: Literal["music"] = "music"
    """Which request this is; always `music`."""
    provider: str = "minimax"
    """Who makes it: `minimax` (music-2.6 and family) or `stability` (Stable Audio)."""
    model: str | None = None
    """Model id; unset uses `music-2.6` (`music-cover` with a reference or cover_feature_id)
    or Stability's `stable-audio-2.5`."""
    prompt: str = ""
    """Style, mood and scene (MiniMax: up to 2,000 characters, 10–300 for covers and older
    models; required for instrumentals). Stability: the sound to make, in English."""
    lyrics: str | None = None
    """MiniMax: the words, lines separated by newlines, sections tagged [Verse], [Chorus],
    [Bridge], ... (up to 3,500 characters). Required for songs unless instrumental or
    lyrics_optimizer."""
    instrumental: bool | None = None
    """MiniMax song models: no vocals (the prompt is then required)."""
    lyrics_optimizer: bool | None = None
    """MiniMax: with no lyrics, let the service write them from the prompt."""
    reference: str | None = None
    """An audio track (path, URL or data URI; MP3, WAV or FLAC). MiniMax: the song to cover
    (6 s–6 min, ≤ 50 MB). Stability: the input of audio-to-audio or inpaint."""
    cover_feature_id: str | None = None
    """MiniMax: a cover feature id from `lyrics` on a track (valid 24 h); needs lyrics."""
    duration: float | None = None
    """Stability: length in seconds, 1–190 (Stable Audio 3: 1–380); default 190."""
    steps: WholeNumber | None = None
    """Stability: sampling steps (stable-audio-2: 30–100, default 50; 2.5 and 3: 4–8, 8)."""
    cfg_scale: float | None = None
    """Stability: how closely to follow the prompt, 1–25."""
    strength: float | None = None
    """Stability audio-to-audio: 0 keeps the reference, 1 ignores it (1)."""
    mask_start: float | None = None
    """Stability inpaint: where the part to regenerate starts, in seconds (30)."""
    mask_end: float | None = None
    """Stability inpaint: where it ends, in seconds (190; Stable Audio 3: 380)."""
    sample_rate: WholeNumber | None = None
    """MiniMax: 16000, 24000, 32000 or 44100 Hz."""
    bitrate: WholeNumber | None = None
    """MiniMax: 32000, 64000, 128000 or 256000 bit/s."""
    response_format: Literal["url", "inline"] | None = None
    """MiniMax: `url` (a link dave downloads at once) or `inline` (hex in the answer, the
    default). Stability: `inline` asks for JSON with base64 instead of raw bytes. Either way
    the result is a local file."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        return [("reference", self.reference, "audio")] if self.reference is not None else []


class LyricsRequest(_Model):
    """Words for a song (MiniMax): write them from a prompt, edit given lyrics, or read a
    track's lyrics with section tags (and get a cover_feature_id for `music`)."""

    kind: Literal["lyrics"] = "lyrics"
    """Which request this is; always `lyrics`."""
    provider: str = "minimax"
    """Who makes it: `minimax`."""
    model: str | None = None
    """Leave unset (`lyrics-generation`; `music-cover` when a track is given)."""
    prompt: str = ""
    """Theme and style (or, to edit, what to change); up to 2,000 characters. Empty: a
    random song."""
    mode: Literal["write", "edit"] = "write"
    """write: a full song; edit: revise or continue `lyrics`."""
    lyrics: str | None = None
    """edit: the lyrics to revise, up to 3,500 characters."""
    title: str | None = None
    """A song title, kept as given."""
    track: str | None = None
    """A song (path, URL or data URI; 6 s–6 min, ≤ 50 MB) whose lyrics to read; the answer
    also holds a cover_feature_id for a cover with `music`."""

    def source_fields(self) -> list[tuple[str, str, SourceMedium]]:
        """(field, value, medium) for each source this request names."""
        return [("track", self.track, "audio")] if self.track is not None else []


Request = (
    ImageRequest
    | EditRequest
    | VideoRequest
    | UpscaleRequest
    | ControlRequest
    | MusicRequest
    | LyricsRequest
)
#: Any request, told apart by `kind`: for journaled requests and tool arguments.
MediaRequest = Annotated[Request, Field(discriminator="kind")]
_REQUEST_ADAPTER: TypeAdapter[Request] = TypeAdapter(MediaRequest)
_KINDS: dict[str, type[_Model]] = {
    "image": ImageRequest,
    "edit": EditRequest,
    "video": VideoRequest,
    "upscale": UpscaleRequest,
    "control": ControlRequest,
    "music": MusicRequest,
    "lyrics": LyricsRequest,
}
#: Which medium each kind's outputs are: what verify checks and the asset's kind.
OUTPUT_MEDIUM: dict[str, SourceMedium | Literal["text"]] = {
    "image": "image",
    "edit": "image",
    "video": "video",
    "upscale": "image",
    "control": "image",
    "music": "audio",
    "lyrics": "text",
}


def parse_request(data: Mapping[str, Any] | str | bytes) -> Request:
    """A request from a dict or JSON text, chosen by its `kind` (default `image`)."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as err:
            raise InvalidRequest(f"request is not valid JSON ({err})") from None
    if not isinstance(data, Mapping):
        raise InvalidRequest(f"a request must be an object, got {type(data).__name__}")
    try:
        return _REQUEST_ADAPTER.validate_python({"kind": "image", **data})
    except ValidationError as err:
        kind = _KINDS.get(str(data.get("kind", "image")))
        known = tuple(kind.model_fields) if kind else ()
        raise InvalidRequest(validation_error_line(err, known, drop_first=True)) from None
