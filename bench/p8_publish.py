"""P8 publish: a 1 GiB file to an S3 server on loopback through dave's S3Target.put, against a
bare boto3 upload_file of the same file with boto3's default transfer config, in one run.

The server is moto's (`python -m moto.server`) in its own process, so it shares no interpreter
with either client. Every upload runs in a fresh child process built the same way: it imports
boto3, makes its client (or S3Target), resets its peak-RSS counter (`/proc/self/clear_refs`)
and times the upload call alone; it reports that time and its peak RSS (VmHWM) above the RSS it
had before. dave's put includes its HEADs (before, to stay create-only, and after, for the
ETag); both sides send the same Content-Type and Cache-Control. One unmeasured upload of the
file warms the server first; rounds alternate which side goes first; each side's figure is its
median round. Then a republish: a fresh child puts the same file at the key dave placed, with
moto's request recorder on around that put alone, so the requests and body bytes it sent are
counted by the server. Goals: throughput >= 0.9x bare; peak RSS growth <= 64 MiB; a republish
takes <= 50 ms (the first put of a fresh target, on a new connection) and sends at most one
request (its HEAD) and 0 body bytes.

    .venv/bin/python bench/p8_publish.py [--quick]
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from _common import free_port, goal, line, median, parse_args, ratio, wait_until_serving

GIB = 1 << 30
MIB = 1 << 20
THROUGHPUT_GOAL = 0.9
RSS_GOAL_MIB = 64
REPUBLISH_GOAL_MS = 50
REGION = "us-east-1"
BUCKET = "dave-bench-p8"
MIME = "video/mp4"
# moto takes any credentials (it checks none unless told to); these keep the developer's own
# out of the run.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "AKIADAVEBENCHP800001",
    "AWS_SECRET_ACCESS_KEY": "dave-bench-p8-not-a-secret",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def aws_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FAKE_AWS)
    env["AWS_CONFIG_FILE"] = str(folder / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(folder / "no-aws-credentials")
    return env


class MotoProcess:
    """moto's S3 server in its own process, its request recorder writing into `folder`."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = aws_env(folder)
        env["MOTO_RECORDER_FILEPATH"] = str(folder / "moto-recording.jsonl")
        # moto keeps object bodies in temporary files; keep them with the rest of the run.
        env["TMPDIR"] = str(folder)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )

        def answers() -> bool:
            self.control("recorder/reset-recording")
            return True

        wait_until_serving(self._process, answers, "the moto server", 30, 0.1, self.stop)

    def control(self, path: str) -> str:
        method = "GET" if path.startswith("recorder/download") else "POST"
        answer = httpx2.request(method, f"{self.url}/moto-api/{path}", timeout=60)
        answer.raise_for_status()
        return answer.text

    def recorded(self) -> list[dict[str, Any]]:
        rows = self.control("recorder/download-recording").splitlines()
        return [json.loads(row) for row in rows if row]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def body_bytes(entry: dict[str, Any]) -> int:
    body = entry.get("body") or ""
    return len(base64.b64decode(body)) if entry.get("body_encoded") else len(body.encode())


def memory_kib() -> dict[str, int]:
    status = Path("/proc/self/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) for key in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]


def child(side: str, endpoint: str, path: Path, key: str) -> dict[str, Any]:
    """Runs in the measured process: one upload (or republish), timed and RSS-checked."""
    import boto3

    from dave.publish.target import CACHE_CONTROL

    if side == "bare":
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)

        def upload() -> None:
            client.upload_file(
                str(path),
                BUCKET,
                key,
                ExtraArgs={"ContentType": MIME, "CacheControl": CACHE_CONTROL},
            )
    else:
        from dave.publish.s3 import S3Target

        target = S3Target(BUCKET, endpoint_url=endpoint, region=REGION)

        def upload() -> None:
            placed = target.put(path, key, MIME)
            assert placed.uploaded is (side == "dave"), placed

    def recorder(action: str) -> None:
        if side == "republish":  # the server counts what the timed put sends, and only that
            httpx2.post(f"{endpoint}/moto-api/recorder/{action}", timeout=30).raise_for_status()

    recorder("reset-recording")
    recorder("start-recording")
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := RSS now
    before = memory_kib()
    start = time.perf_counter()
    upload()
    seconds = time.perf_counter() - start
    after = memory_kib()
    recorder("stop-recording")
    report = {"seconds": seconds, "rss_before_kib": before["VmRSS"], "peak_kib": after["VmHWM"]}
    if side == "republish":
        # The same target again, its connection open: for comparison, not a goal.
        start = time.perf_counter()
        upload()
        report["again_seconds"] = time.perf_counter() - start
    return report


def run_child(side: str, server: MotoProcess, folder: Path, path: Path, key: str) -> Any:
    argv = ["--child", side, "--endpoint", server.url, "--file", str(path), "--key", key]
    done = subprocess.run(
        [sys.executable, __file__, *argv],
        capture_output=True,
        text=True,
        env=aws_env(folder),
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {side} child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_file(path: Path, size: int) -> str:
    """Writes `size` bytes that do not repeat within a MiB; gives their sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for offset in range(0, size, MIB):
            block = os.urandom(min(MIB, size - offset))
            out.write(block)
            digest.update(block)
    return digest.hexdigest()


def main() -> int:
    args = parse_args(
        __doc__,
        ("--child", {"choices": ("dave", "bare", "republish"), "help": "(internal)"}),
        ("--endpoint", {"help": "(internal) the S3 endpoint"}),
        ("--file", {"help": "(internal) the file to upload"}),
        ("--key", {"help": "(internal) the object key"}),
    )
    if args.child:
        print(json.dumps(child(args.child, args.endpoint, Path(args.file), args.key)))
        return 0

    import boto3

    from dave.publish.s3 import MULTIPART_CHUNKSIZE, MULTIPART_THRESHOLD
    from dave.publish.target import content_key

    size, rounds = (32 * MIB, 1) if args.quick else (GIB, 2)
    line(
        f"P8 publish: one {size / MIB:.0f} MiB file to moto's S3 server on loopback, "
        f"{rounds} round(s)"
    )
    with tempfile.TemporaryDirectory(prefix="dave-bench-p8-") as tmp:
        folder = Path(tmp)
        path = folder / "asset.mp4"
        sha = make_file(path, size)
        server = MotoProcess(folder)
        try:
            admin = boto3.client(
                "s3", endpoint_url=server.url, region_name=REGION, **_explicit_keys()
            )
            admin.create_bucket(Bucket=BUCKET)
            # Unmeasured: the first upload of this size is slower, whoever sends it (moto's
            # process grows to hold the object, and its code paths warm up).
            admin.upload_file(str(path), BUCKET, "warm-up")
            admin.delete_object(Bucket=BUCKET, Key="warm-up")
            key = content_key("bench/", sha, "mp4")
            dave_runs: list[dict[str, Any]] = []
            bare_runs: list[dict[str, Any]] = []
            for index in range(rounds):
                order = ("bare", "dave") if index % 2 == 0 else ("dave", "bare")
                for side in order:
                    side_key = key if side == "dave" else f"bare/{index}/{key}"
                    report = run_child(side, server, folder, path, side_key)
                    stored = admin.head_object(Bucket=BUCKET, Key=side_key)["ContentLength"]
                    assert stored == size, (side, stored)
                    (dave_runs if side == "dave" else bare_runs).append(report)
                    line(f"  round {index} {side:4}  {_rate(size, report)}")
                    last_round = index == rounds - 1
                    if side == "bare" or not last_round:
                        # moto holds every object; only the last dave object stays, for the
                        # republish.
                        admin.delete_object(Bucket=BUCKET, Key=side_key)
            republish = run_child("republish", server, folder, path, key)
            requests = server.recorded()
        finally:
            server.stop()

    dave_s = median([r["seconds"] for r in dave_runs])
    bare_s = median([r["seconds"] for r in bare_runs])
    dave_growth = max((r["peak_kib"] - r["rss_before_kib"]) / 1024 for r in dave_runs)
    bare_growth = max((r["peak_kib"] - r["rss_before_kib"]) / 1024 for r in bare_runs)
    sent = [f"{r['method']} {r['url'].split('?')[0].rsplit('/', 1)[-1][:12]}…" for r in requests]
    sent_bytes = sum(body_bytes(r) for r in requests)
    uploads = sum(1 for r in requests if r["method"] in ("PUT", "POST"))
    parts = f"{MULTIPART_CHUNKSIZE // MIB} MiB parts above {MULTIPART_THRESHOLD // MIB} MiB"
    line(f"dave S3Target.put   {size / MIB / dave_s:.0f} MiB/s (median), {parts}")
    line(f"bare upload_file    {size / MIB / bare_s:.0f} MiB/s (median), boto3's default config")
    line(f"peak RSS growth     dave {dave_growth:.1f} MiB, bare {bare_growth:.1f} MiB")
    line(
        f"republish           first put {republish['seconds'] * 1000:.1f} ms, again "
        f"{republish['again_seconds'] * 1000:.1f} ms; the server received {len(requests)} "
        f"request(s) {sent}, {uploads} PUT/POST, {sent_bytes} body bytes"
    )
    ratio(
        "p8.put_throughput_dave_over_bare",
        bare_s / dave_s,
        THROUGHPUT_GOAL,
        "S3Target.put / bare boto3 upload_file (default TransferConfig), same file and server",
        higher_is_better=True,
    )
    goal(
        "p8.rss_growth",
        dave_growth,
        "MiB",
        RSS_GOAL_MIB,
        "dave's peak RSS above its RSS before the put",
    )
    goal(
        "p8.republish_time",
        republish["seconds"] * 1000,
        "ms",
        REPUBLISH_GOAL_MS,
        "put of a key already there, a fresh target's first request",
    )
    goal(
        "p8.republish_requests",
        len(requests),
        "requests",
        1,
        "as the server recorded them: one HEAD",
    )
    goal(
        "p8.republish_bytes_sent", sent_bytes, "bytes", 0, "request body bytes the server received"
    )
    return 0


def _explicit_keys() -> dict[str, str]:
    return {
        "aws_access_key_id": FAKE_AWS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
    }


def _rate(size: int, report: dict[str, Any]) -> str:
    growth = (report["peak_kib"] - report["rss_before_kib"]) / 1024
    return (
        f"{report['seconds']:.3f} s ({size / MIB / report['seconds']:.0f} MiB/s), "
        f"peak RSS +{growth:.1f} MiB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
