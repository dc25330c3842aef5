"""A real S3-protocol server: moto's server mode on loopback, one per session (the root
conftest's `s3_server` starts it on first use), with buckets made through boto3, its request
recorder, and a switch that makes it check credentials; `use_fake_aws` for boto3's chain.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

REGION = "us-east-1"
# Fake credentials for the default account. The secret is long and odd so a test can tell
# whether it leaked anywhere.
ACCESS_KEY_ID = "AKIADAVETESTKEY00001"
SECRET_ACCESS_KEY = "dave-test-secret/Zq81Lw0xJm4Vt7Rb2Nc9Kp3Hd6"

# No proxy, no credentials: a GET as any browser would send it.
_anonymous = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def anonymous_get(url: str) -> tuple[int, bytes]:
    """Status and body of an unsigned GET."""
    try:
        with _anonymous.open(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    url: str
    headers: dict[str, str]
    body_bytes: int


class S3Server:
    """The running server: its endpoint, an admin client, and its moto-api controls."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.admin = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )
        self.iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def _control(self, path: str, data: bytes | None = None) -> bytes:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/{path}",
            data=data,
            method="GET" if data is None else "POST",
            headers={"Content-Type": "text/plain"},
        )
        with _anonymous.open(request, timeout=30) as answer:
            return bytes(answer.read())

    def make_bucket(self, *, public: bool = False) -> str:
        name = f"dave-{uuid.uuid4().hex[:12]}"
        self.admin.create_bucket(Bucket=name)
        if public:
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{name}/*",
                    }
                ],
            }
            self.admin.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        return name

    def access_key(self, actions: list[str]) -> tuple[str, str]:
        """A new IAM user's access key id and secret, allowed `actions` on every resource."""
        user = f"dave-{uuid.uuid4().hex[:8]}"
        self.iam.create_user(UserName=user)
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
        }
        self.iam.put_user_policy(
            UserName=user, PolicyName="publish", PolicyDocument=json.dumps(policy)
        )
        key = self.iam.create_access_key(UserName=user)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    @contextmanager
    def recording(self) -> Iterator[list[Recorded]]:
        """Every request the server receives inside the block (the list fills on exit)."""
        requests: list[Recorded] = []
        self._control("recorder/reset-recording", b"")
        self._control("recorder/start-recording", b"")
        try:
            yield requests
        finally:
            self._control("recorder/stop-recording", b"")
            log = self._control("recorder/download-recording").decode()
            requests.extend(_recorded(json.loads(row)) for row in log.splitlines() if row)

    @contextmanager
    def checking_credentials(self) -> Iterator[None]:
        """The server checks every request's signature and IAM permission inside the block
        (moto trusts any credentials otherwise)."""
        self._control("reset-auth", b"0")
        try:
            yield
        finally:
            self._control("reset-auth", b"inf")


def _recorded(entry: dict[str, Any]) -> Recorded:
    body = entry.get("body") or ""
    size = len(base64.b64decode(body)) if entry.get("body_encoded") else len(body.encode())
    return Recorded(entry["method"], entry["url"], entry["headers"], size)


def run_s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """Starts moto's server for the session; the root conftest makes it the `s3_server` fixture."""
    recording = tmp_path_factory.mktemp("moto") / "recording.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        # moto reads where its recorder writes when moto.moto_api is first imported, which
        # the server would only do at its first request.
        patch.setenv("MOTO_RECORDER_FILEPATH", str(recording))
        import moto.moto_api  # noqa: F401
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
    # The development server logs every request; the tests read the recorder instead.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    host, port = server.get_host_and_port()
    try:
        running = S3Server(f"http://{host}:{port}")
        running._control("recorder/reset-recording", b"")
        assert recording.exists(), "moto's recorder writes elsewhere: it was imported earlier"
        yield running
    finally:
        server.stop()


def use_fake_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3's credential chain sees the fake keys and nothing of the developer's own."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    # No instance-metadata lookups when a test removes the keys.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
