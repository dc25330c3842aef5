"""x.ai's driver: images and edits answer at once; videos are jobs to poll. Turns a request
into XaiClient calls, reading every source into its wire form before anything is sent.

Not for the wire itself (dave.providers.xai) nor for checking requests (rules.py beside it).
"""

from __future__ import annotations

import asyncio

from dave.media.driver_protocol import ClientDriver, Send
from dave.media.requests import EditRequest, ImageRequest, Request, VideoRequest
from dave.media.sources import to_url
from dave.media.xai.options import ImageOptions, VideoOptions
from dave.providers.base import Status
from dave.providers.xai import XaiClient


class XaiDriver(ClientDriver[XaiClient]):
    """x.ai: images and edits answer at once; videos are jobs to poll."""

    provider = "xai"
    client_class = XaiClient

    async def prepare(self, request: Request) -> Send:
        """Reads every source into its wire form now, so a vanished file fails before sending."""
        if isinstance(request, EditRequest):
            urls = await asyncio.to_thread(lambda: [to_url(image) for image in request.images])
            fields = _image_fields(request)
            return lambda: self.client.edit_images(image_urls=urls, **fields)
        if isinstance(request, ImageRequest):
            fields = _image_fields(request)
            return lambda: self.client.generate_images(**fields)
        assert isinstance(request, VideoRequest)
        return await self._prepare_video(request)

    async def _prepare_video(self, request: VideoRequest) -> Send:
        opts = VideoOptions.of(request)
        assert request.model is not None
        model, prompt = request.model, request.prompt
        if opts.edit_video:
            url = await asyncio.to_thread(to_url, opts.edit_video, "video")
            return lambda: self.client.edit_video(model=model, prompt=prompt, video_url=url)
        if opts.extend_video:
            url = await asyncio.to_thread(to_url, opts.extend_video, "video")
            return lambda: self.client.extend_video(
                model=model, prompt=prompt, video_url=url, duration=request.duration
            )

        def frames() -> tuple[str | None, list[str], str | None, list[tuple[str, float]]]:
            return (
                to_url(request.image) if request.image else None,
                [to_url(ref) for ref in opts.references],
                to_url(request.last_frame) if request.last_frame else None,
                [(to_url(k.image), k.at_s) for k in opts.keyframes],
            )

        image, references, last_frame, keyframes = await asyncio.to_thread(frames)
        voices = [{"voice_id": voice} for voice in opts.reference_audios] or None
        return lambda: self.client.create_video(
            model=model,
            prompt=prompt,
            image_url=image,
            reference_urls=references,
            last_frame_url=last_frame,
            keyframes=keyframes,
            duration=request.duration,
            aspect_ratio=request.aspect_ratio,
            resolution=request.resolution,
            generate_audio=opts.generate_audio,
            reference_audios=voices,
        )

    async def status(self, kind: str, provider_job_id: str) -> Status:
        return await self.client.get_video(provider_job_id)


def _image_fields(request: ImageRequest | EditRequest) -> dict[str, object]:
    opts = ImageOptions.of(request)
    return {
        "model": request.model,
        "prompt": request.prompt,
        "n": request.n,
        "aspect_ratio": request.aspect_ratio,
        "resolution": opts.resolution,
        "response_format": request.response_format,
        "quality": opts.quality,
    }


#: The driver the registry opens for this provider.
DRIVER = XaiDriver
