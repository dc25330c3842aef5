"""Turns a checked MiniMax request into its wire body, and MiniMax's answers into results.

Images, music and lyrics answer at once; videos are tasks polled, then a file looked up. Not
for HTTP or error codes (dave.providers.minimax) nor for checking requests (rules.py beside it).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
from collections.abc import Mapping
from typing import Any

from dave.core.errors import ProviderError
from dave.media.driver_protocol import ClientDriver, Send
from dave.media.minimax.options import ImageOptions, LyricsOptions, MusicOptions, VideoOptions
from dave.media.requests import ImageRequest, LyricsRequest, MusicRequest, Request, VideoRequest
from dave.media.sources import to_url
from dave.providers.base import Output, RemoteState, Status, Submission, json_object
from dave.providers.minimax import (
    MODERATION_CODES,
    NAME,
    MinimaxClient,
    as_int,
    base_code,
    image_subject,
    video_subject,
)

AUDIO_MIMES = {"mp3": "audio/mpeg", "wav": "audio/wav"}
#: A data URI's `data:<mime>;base64,` head, which `audio_base64` leaves out.
_BASE64_MARK = ";base64,"


class MinimaxDriver(ClientDriver[MinimaxClient]):
    """MiniMax: images, music and lyrics answer at once; videos are tasks to poll."""

    provider = NAME
    client_class = MinimaxClient

    async def prepare(self, request: Request) -> Send:
        """Reads every source into its wire form now, so a vanished file fails before sending."""
        if isinstance(request, ImageRequest):
            body = await asyncio.to_thread(image_body, request)
            return lambda: self._image(body)
        if isinstance(request, VideoRequest):
            body = await asyncio.to_thread(video_body, request)
            return lambda: self._video(body)
        if isinstance(request, MusicRequest):
            body = await asyncio.to_thread(music_body, request)
            fmt = request.output_format or "mp3"
            return lambda: self._music(body, fmt)
        if isinstance(request, LyricsRequest):
            track = LyricsOptions.of(request).track
            if track is not None:
                body = await asyncio.to_thread(_track_body, track)
                return lambda: self._cover_preprocess(body)
            body = lyrics_body(request)
            return lambda: self._lyrics(body)
        raise ProviderError(f"minimax cannot run {request.kind} requests", provider=NAME)

    async def _image(self, body: dict[str, Any]) -> Submission:
        return Submission(result=read_images(await self.client.image_generation(body)))

    async def _video(self, body: dict[str, Any]) -> Submission:
        return Submission(provider_job_id=await self.client.video_generation(body))

    async def _music(self, body: dict[str, Any], fmt: str) -> Submission:
        return Submission(result=read_music(await self.client.music_generation(body), fmt))

    async def _lyrics(self, body: dict[str, Any]) -> Submission:
        return Submission(result=read_lyrics(await self.client.lyrics_generation(body)))

    async def _cover_preprocess(self, body: dict[str, Any]) -> Submission:
        answer = await self.client.music_cover_preprocess(body)
        return Submission(result=read_cover_preprocess(answer))

    async def status(self, kind: str, provider_job_id: str) -> Status:
        """Query the task; once `Success`, look its file up for the download URL."""
        answer = await self.client.query_video(provider_job_id)
        code, message = base_code(answer)
        word = str(answer.get("status") or "")
        if code in MODERATION_CODES:
            # Withheld by the safety check: done, with nothing to show (the Studio says so).
            return Status(state=RemoteState.DONE, moderated=1, error_code=str(code))
        if word.lower().startswith("fail"):
            return Status(
                state=RemoteState.FAILED,
                error_code=str(code) if code else "failed",
                error_message=(message if code else "") or "MiniMax could not make the video",
            )
        if word.lower() != "success":  # Preparing, Queueing, Processing, or a new word
            return Status(state=RemoteState.PENDING)
        return await self._file(answer)

    async def _file(self, answer: Mapping[str, Any]) -> Status:
        file_id = answer.get("file_id")
        if file_id in (None, ""):
            raise ProviderError("the task succeeded but named no file_id", provider=NAME)
        file_id = str(file_id)  # a string in the query, an int64 in /files: keep it text
        try:
            found = await self.client.retrieve_file(file_id)
        except ProviderError as error:
            if error.status in (404, 410):
                return Status(
                    state=RemoteState.EXPIRED,
                    error_code=error.code or "expired",
                    error_message=f"the video's file is gone ({error.message})",
                )
            raise
        file = json_object(found.get("file"))
        url = file.get("download_url")
        if not isinstance(url, str) or not url:
            raise ProviderError("the file answer held no download_url", provider=NAME)
        details = {
            "file_id": file_id,
            "video_width": as_int(answer.get("video_width")),
            "video_height": as_int(answer.get("video_height")),
            "bytes": as_int(file.get("bytes")),
        }
        return Status(
            state=RemoteState.DONE,
            outputs=[Output(url=url, mime="video/mp4")],
            progress=100,
            details={key: value for key, value in details.items() if value is not None},
        )


# --- requests → wire bodies ----------------------------------------------------------------


def _drop_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def image_body(request: ImageRequest) -> dict[str, Any]:
    """POST /v1/image_generation's body (reads the subject photo: call it in a thread)."""
    opts = ImageOptions.of(request)
    style = None
    if opts.style is not None:
        style = _drop_none({"style_type": opts.style, "style_weight": opts.style_weight})
    return _drop_none(
        {
            "model": request.model,
            "prompt": request.prompt,
            "aspect_ratio": request.aspect_ratio,
            "width": opts.width,
            "height": opts.height,
            "response_format": "base64" if request.response_format == "b64_json" else "url",
            "n": request.n,
            "seed": opts.seed,
            "prompt_optimizer": opts.prompt_optimizer,
            "style": style,
            "subject_reference": image_subject(to_url(opts.subject)) if opts.subject else None,
        }
    )


def video_body(request: VideoRequest) -> dict[str, Any]:
    """POST /v1/video_generation's body (reads the frames: call it in a thread)."""
    opts = VideoOptions.of(request)
    return _drop_none(
        {
            "model": request.model,
            "prompt": request.prompt or None,  # optional with a first frame
            "duration": request.duration,
            "resolution": request.resolution,
            "prompt_optimizer": opts.prompt_optimizer,
            "fast_pretreatment": opts.fast_pretreatment,
            "first_frame_image": to_url(request.image) if request.image else None,
            "last_frame_image": to_url(request.last_frame) if request.last_frame else None,
            "subject_reference": video_subject(to_url(opts.subject)) if opts.subject else None,
        }
    )


def _audio_fields(source: str) -> dict[str, str]:
    """A track as `audio_url` (an http(s) URL) or `audio_base64` (bare base64, no data: head)."""
    wire = to_url(source, "audio")
    if wire.startswith("data:") and _BASE64_MARK in wire:
        return {"audio_base64": wire.split(_BASE64_MARK, 1)[1]}
    return {"audio_url": wire}


def music_body(request: MusicRequest) -> dict[str, Any]:
    """POST /v1/music_generation's body (reads the reference track: call it in a thread)."""
    opts = MusicOptions.of(request)
    setting = _drop_none(
        {
            "sample_rate": opts.sample_rate,
            "bitrate": opts.bitrate,
            "format": request.output_format,
        }
    )
    body = _drop_none(
        {
            "model": request.model,
            "prompt": request.prompt or None,
            "lyrics": opts.lyrics,
            "is_instrumental": opts.instrumental,
            "lyrics_optimizer": opts.lyrics_optimizer,
            "audio_setting": setting or None,
            "output_format": "url" if opts.response_format == "url" else "hex",
            "cover_feature_id": opts.cover_feature_id,
        }
    )
    if request.reference is not None:
        body.update(_audio_fields(request.reference))
    return body


def lyrics_body(request: LyricsRequest) -> dict[str, Any]:
    opts = LyricsOptions.of(request)
    mode = "edit" if opts.mode == "edit" else "write_full_song"
    return _drop_none(
        {"mode": mode, "prompt": request.prompt or None, "lyrics": opts.lyrics}
        | {"title": opts.title}
    )


def _track_body(track: str) -> dict[str, Any]:
    return {"model": "music-cover", **_audio_fields(track)}


# --- answers → results ---------------------------------------------------------------------


def _data(answer: Mapping[str, Any]) -> dict[str, Any]:
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def read_images(answer: Mapping[str, Any]) -> Status:
    """`data.image_urls` or `data.image_base64`; `metadata.failed_count` were withheld."""
    data = _data(answer)
    outputs = [
        Output(url=url, mime="image/jpeg")
        for url in data.get("image_urls") or []
        if isinstance(url, str) and url
    ]
    for item in data.get("image_base64") or []:
        if isinstance(item, str) and item:
            outputs.append(Output(data=_b64(item), mime="image/jpeg"))
    meta = json_object(answer.get("metadata"))
    failed = as_int(meta.get("failed_count")) or 0
    succeeded = as_int(meta.get("success_count"))
    # All withheld comes back as status 0 with an empty list (mmx treats it as a failure).
    moderated = failed if outputs else max(failed, 1)
    details = _drop_none(
        {"id": answer.get("id"), "success_count": succeeded, "failed_count": failed}
    )
    return Status(state=RemoteState.DONE, outputs=outputs, moderated=moderated, details=details)


def _b64(value: str) -> bytes:
    if value.startswith("data:") and _BASE64_MARK in value:
        value = value.split(_BASE64_MARK, 1)[1]
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        raise ProviderError("an image came back as invalid base64", provider=NAME) from None


def read_music(answer: Mapping[str, Any], fmt: str) -> Status:
    """`data.audio_url`, else `data.audio` (hex, or a URL with output_format url)."""
    data = _data(answer)
    audio = data.get("audio_url") or data.get("audio")
    if not isinstance(audio, str) or not audio:
        raise ProviderError("the answer held no audio", provider=NAME, status=200)
    extra = json_object(answer.get("extra_info"))
    millis = as_int(extra.get("music_duration"))
    seconds = millis / 1000 if millis is not None else None
    mime = AUDIO_MIMES.get(fmt, "audio/mpeg")
    if audio.startswith(("http://", "https://")):
        output = Output(url=audio, mime=mime, duration_s=seconds)
    else:
        try:
            output = Output(data=bytes.fromhex(audio), mime=mime, duration_s=seconds)
        except ValueError:
            raise ProviderError("the audio came back as invalid hex", provider=NAME) from None
    details = _drop_none(
        {
            "duration_s": seconds,
            "sample_rate": as_int(extra.get("music_sample_rate")),
            "channels": as_int(extra.get("music_channel")),
            "bitrate": as_int(extra.get("bitrate")),
            "size_bytes": as_int(extra.get("music_size")),
            "trace_id": answer.get("trace_id"),
        }
    )
    return Status(state=RemoteState.DONE, outputs=[output], details=details)


def read_lyrics(answer: Mapping[str, Any]) -> Status:
    lyrics = answer.get("lyrics")
    if not isinstance(lyrics, str) or not lyrics.strip():
        raise ProviderError("the answer held no lyrics", provider=NAME, status=200)
    details = _drop_none(
        {"title": answer.get("song_title"), "style_tags": answer.get("style_tags")}
    )
    output = Output(data=lyrics.encode("utf-8"), mime="text/plain")
    return Status(state=RemoteState.DONE, outputs=[output], details=details)


def read_cover_preprocess(answer: Mapping[str, Any]) -> Status:
    feature = answer.get("cover_feature_id")
    if not isinstance(feature, str) or not feature:
        raise ProviderError("the answer held no cover_feature_id", provider=NAME, status=200)
    structure: Any = answer.get("structure_result")
    if isinstance(structure, str):  # a JSON string, per the spec
        with contextlib.suppress(ValueError):
            structure = json.loads(structure)
    duration = answer.get("audio_duration")
    details = _drop_none(
        {
            "cover_feature_id": feature,
            "structure": structure,
            "audio_duration_s": float(duration) if isinstance(duration, int | float) else None,
        }
    )
    lyrics = str(answer.get("formatted_lyrics") or "")
    output = Output(data=lyrics.encode("utf-8"), mime="text/plain")
    return Status(state=RemoteState.DONE, outputs=[output], details=details)


#: The driver the registry opens for this provider.
DRIVER = MinimaxDriver
