"""`dave store copy --to URL`: a local library's journal moved into the team store on a real
PostgreSQL, verified by sha256, resumable, and refused while a local job is unfinished."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import dave
from dave.emulator import EmulatorServer
from dave.store import JobState, Store
from tests.conftest import run_dave
from tests.s3server import S3Server, use_fake_aws


@pytest.fixture
def local_library(xai: EmulatorServer, dave_home: Path, tmp_path: Path) -> dict[str, dave.Result]:
    """Three finished jobs in DAVE_HOME's own dave.db (before DAVE_DATABASE_URL is set)."""
    with dave.SyncStudio() as studio:
        fox = studio.image("a red fox", n=2)
        heron = studio.image("a grey heron")
        edit = studio.edit("the heron in ink", [str(heron.paths()[0])])
    return {"fox": fox, "heron": heron, "edit": edit}


def test_a_copy_moves_every_row_and_a_second_copy_adds_nothing(
    local_library: dict[str, dave.Result], pg_cluster: object, dave_home: Path
) -> None:
    from .cluster import Cluster

    assert isinstance(pg_cluster, Cluster)
    url = pg_cluster.url(pg_cluster.new_database())
    done = run_dave("store", "copy", "--to", url)
    assert done.returncode == 0, done.stderr
    assert "copied 3 jobs, 4 assets, 1 job_sources" in done.stderr
    with Store.open(dave_home) as local, Store.open(dave_home, url) as team:
        assert [j.id for j in team.jobs.list()] == [j.id for j in local.jobs.list()]
        for job in local.jobs.list():
            assert [e.state for e in team.jobs.events(job.id)] == [
                e.state for e in local.jobs.events(job.id)
            ]
        assert [a.id for a in team.assets.list()] == [a.id for a in local.assets.list()]
        edit = team.assets.for_job(local_library["edit"].job.id)[0]
        heron = local_library["heron"].assets[0]
        assert [(f, a.id) for f, a in team.lineage.sources_of(edit)] == [("images[0]", heron.id)]
        assert [a.id for a in team.assets.search("heron")] == [edit.id, heron.id]
    again = run_dave("store", "copy", "--to", url)
    assert again.returncode == 0 and "copied nothing new; 8 already there" in again.stderr
    listed = run_dave("assets", "list", "--json", env={"DAVE_DATABASE_URL": url})
    assert listed.stdout.count('"id": "a_') == 4


def test_a_changed_file_is_left_out_and_unfinished_jobs_refuse_the_copy(
    local_library: dict[str, dave.Result], pg_cluster: object, dave_home: Path
) -> None:
    from .cluster import Cluster

    assert isinstance(pg_cluster, Cluster)
    url = pg_cluster.url(pg_cluster.new_database())
    changed = local_library["fox"].paths()[1]
    changed.write_bytes(b"not the bytes the row names")
    done = run_dave("store", "copy", "--to", url)
    assert done.returncode == 0, done.stderr
    assert "1 asset(s) left out" in done.stderr
    assert local_library["fox"].assets[1].id in done.stderr
    with Store.open(dave_home) as local:
        job = local.jobs.create("xai", "image", "m", {"prompt": "still going"}, queued=True)
    refused = run_dave("store", "copy", "--to", url)
    assert refused.returncode == 1 and job.id in refused.stderr and "unfinished" in refused.stderr
    with Store.open(dave_home, url) as team:
        assert all(j.state is JobState.DONE for j in team.jobs.list())
    bad = run_dave("store", "copy", "--to", "sqlite:///x")
    assert bad.returncode == 1 and "postgresql:// URL" in bad.stderr


def test_with_a_team_media_url_the_copy_uploads_each_file_before_its_row(
    local_library: dict[str, dave.Result],
    pg_cluster: object,
    s3_server: S3Server,
    dave_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from .cluster import Cluster

    assert isinstance(pg_cluster, Cluster)
    url = pg_cluster.url(pg_cluster.new_database())
    use_fake_aws(tmp_path, monkeypatch)
    bucket = s3_server.make_bucket()
    team = {"DAVE_MEDIA_URL": f"s3://{bucket}/lib", "DAVE_S3_ENDPOINT_URL": s3_server.endpoint}
    done = run_dave("store", "copy", "--to", url, env=team)
    assert done.returncode == 0, done.stderr
    listed = s3_server.admin.list_objects_v2(Bucket=bucket)
    keys = sorted(entry["Key"] for entry in listed.get("Contents", []))
    with Store.open(dave_home) as local:
        assets = local.assets.list()
        assert keys == sorted(f"lib/{asset.path}" for asset in assets)
        for asset in assets:
            body = s3_server.admin.get_object(Bucket=bucket, Key=f"lib/{asset.path}")["Body"]
            assert hashlib.sha256(body.read()).hexdigest() == asset.sha256
    # Resumable: a second copy finds every object there and uploads nothing.
    with s3_server.recording() as requests:
        again = run_dave("store", "copy", "--to", url, env=team)
    assert again.returncode == 0, again.stderr
    assert {r.method for r in requests} == {"HEAD"}
