"""Stability's answers that have no counterpart at the other providers, beyond the matrix
(`test_fault_matrix.py`, whose Stability slice this drives): a sync answer whose image the
provider blurred (`finish-reason: CONTENT_FILTERED`), and a paid inline answer that does not
decode, which `resume` has no URL to fetch again from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from dave import Moderated, Studio, VerificationFailed
from dave.emulator import EmulatorServer, FaultRule

from .matrix_common import Sources, check_error_line, media_problems
from .test_fault_matrix import STABILITY, STABILITY_SYNC_POST


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    png = tmp_path_factory.mktemp("stability-matrix") / "small.png"
    Image.new("RGB", (64, 64), (40, 160, 90)).save(png, format="PNG")
    return {"png": png}


async def test_content_filtered_sync_answer_is_moderated_and_never_kept(
    sources: Sources, stability: EmulatorServer, dave_home: Path
) -> None:
    """200 with `finish-reason: CONTENT_FILTERED` (a blurred image): Moderated, no file."""
    stability.set_faults([FaultRule(match=STABILITY_SYNC_POST, kind="moderated")])
    async with Studio() as studio:
        with pytest.raises(Moderated) as caught:
            await STABILITY.drive(studio, "image", "filtered", sources)
        job = studio.jobs.get(caught.value.job_id)
        assert studio.assets.for_job(job.id) == []

    (post,) = stability.log.posts()
    assert (post.status, post.fault) == (200, "moderated")
    assert (job.state.value, job.error_code) == ("failed", "moderated")
    check_error_line(caught.value, "stability", None, "post")
    assert media_problems(dave_home) == (0, [])


async def test_a_broken_inline_answer_ends_the_job_instead_of_leaving_resume_a_dead_end(
    sources: Sources, stability: EmulatorServer, dave_home: Path
) -> None:
    """The bytes came in the (paid) answer and do not decode: there is no URL to fetch again,
    so the job must end, and `resume` must neither re-send it nor keep retrying it."""
    stability.set_faults([FaultRule(match=STABILITY_SYNC_POST, kind="corrupt")])
    async with Studio() as studio:
        with pytest.raises(VerificationFailed) as caught:
            await STABILITY.drive(studio, "image", "broken inline", sources)
        job_id = caught.value.job_id
        assert job_id is not None
        resumed = await studio.resume()
        job = studio.jobs.get(job_id)

    assert [r.job.id for r in resumed if r.job.id == job_id] == [], "resume picked it up again"
    assert job.state.value == "failed", (job.state.value, job.error, job.result)
    assert len(stability.log.posts()) == 1
    assert media_problems(dave_home) == (0, [])
