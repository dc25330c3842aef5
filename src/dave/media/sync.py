"""A blocking facade over the Studio for scripts and notebooks without an event loop.

Not for async code: use `Studio` there. Each call runs on one private event loop.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from dave.media.studio import Result, Studio
from dave.store.jobs import Job


class SyncStudio:
    """`with SyncStudio(offline=True) as studio: studio.image("a lighthouse")`."""

    def __init__(self, **options: Any) -> None:
        self._runner = asyncio.Runner()
        self._studio = Studio(**options)

    def __enter__(self) -> SyncStudio:
        self._runner.run(self._studio.__aenter__())
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._runner.run(self._studio.aclose())
        finally:
            self._runner.close()

    @property
    def jobs(self) -> Any:
        return self._studio.jobs

    @property
    def assets(self) -> Any:
        return self._studio.assets

    def image(self, prompt: str, **options: Any) -> Result:
        return self._runner.run(self._studio.image(prompt, **options))

    def edit(self, prompt: str, images: list[str] | str, **options: Any) -> Result:
        return self._runner.run(self._studio.edit(prompt, images, **options))

    def video(self, prompt: str, **options: Any) -> Result:
        return self._runner.run(self._studio.video(prompt, **options))

    def upscale(self, image: str, **options: Any) -> Result:
        return self._runner.run(self._studio.upscale(image, **options))

    def control(self, image: str, prompt: str = "", **options: Any) -> Result:
        return self._runner.run(self._studio.control(image, prompt, **options))

    def music(self, prompt: str = "", **options: Any) -> Result:
        return self._runner.run(self._studio.music(prompt, **options))

    def lyrics(self, prompt: str = "", **options: Any) -> Result:
        return self._runner.run(self._studio.lyrics(prompt, **options))

    def wait(self, job_id: str) -> Result:
        return self._runner.run(self._studio.wait(job_id))

    def resume(self, job_id: str | None = None, *, resubmit: bool = False) -> list[Result]:
        return self._runner.run(self._studio.resume(job_id, resubmit=resubmit))

    def cancel(self, job_id: str) -> Job:
        return self._runner.run(self._studio.cancel(job_id))
