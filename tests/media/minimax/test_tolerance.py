"""The client reads the shapes minimax.md is unsure of: `data.audio_url` before `data.audio`,
counts as ints or strings, `Failed` for `Fail`, and a task id that comes as a number."""

from __future__ import annotations

import httpx2
import pytest

from dave import Studio
from dave.core.errors import JobFailed
from dave.emulator import EmulatorServer, FaultRule

OK = {"status_code": 0, "status_msg": "success"}


async def test_music_reads_data_audio_url_first(studio: Studio, minimax: EmulatorServer) -> None:
    made = httpx2.post(
        minimax.minimax_base_url + "/v1/music_generation",
        json={"model": "music-2.6", "prompt": "pop", "lyrics": "[Verse]\nla",
              "output_format": "url"},
        headers={"Authorization": "Bearer k"},
    ).json()  # fmt: skip
    url = made["data"]["audio"]
    body = {"data": {"status": 2, "audio_url": url, "audio": "not hex"}, "base_resp": OK}
    minimax.set_faults([FaultRule(match="POST /minimax/v1/music_generation", kind="status",
                                  status=200, body=body)])  # fmt: skip
    minimax.log.clear()

    result = await studio.music("pop", provider="minimax", lyrics="[Verse]\nla")

    assert result.job.state.value == "done"
    assert len(minimax.log.gets("/files/*.mp3")) == 1


async def test_image_counts_as_ints_and_a_numeric_task_id_are_read(
    studio: Studio, minimax: EmulatorServer
) -> None:
    made = httpx2.post(
        minimax.minimax_base_url + "/v1/image_generation",
        json={"model": "image-01", "prompt": "a"},
        headers={"Authorization": "Bearer k"},
    ).json()
    body = {"data": made["data"], "metadata": {"success_count": 1, "failed_count": 1},
            "base_resp": OK}  # fmt: skip
    minimax.set_faults([FaultRule(match="POST /minimax/v1/image_generation", kind="status",
                                  status=200, body=body)])  # fmt: skip

    result = await studio.image("a", provider="minimax")

    job = studio.jobs.get(result.job.id)
    assert job.result is not None and job.result["moderated"] == 1
    assert len(result.assets) == 1


async def test_a_failed_spelling_ends_the_job_failed(
    studio: Studio, minimax: EmulatorServer
) -> None:
    minimax.set_faults(
        [
            FaultRule(match="POST /minimax/v1/video_generation", kind="status", status=200,
                      body={"task_id": 106916112212032, "base_resp": OK}),
            FaultRule(match="GET /minimax/v1/query/*", kind="status", status=200,
                      body={"task_id": "106916112212032", "status": "Failed", "base_resp": OK}),
        ]
    )  # fmt: skip

    with pytest.raises(JobFailed) as caught:
        await studio.video("a storm", provider="minimax")

    job = studio.jobs.get(caught.value.job_id or "")
    assert job.provider_job_id == "106916112212032"
    assert job.state.value == "failed"
    (query,) = minimax.log.gets("/minimax/v1/query/*")
    assert query.query == "task_id=106916112212032"
