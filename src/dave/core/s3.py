"""The one way dave talks to S3 (or MinIO, R2, moto): a boto3 client set up alike for the
publishing target and the team media library, and one reading of what a failed call means.

Not for what is stored where (publish/s3.py, store/s3media.py) nor for their error types: this
says in one line what went wrong and of which kind, and each caller raises its own error.
Credentials come from boto3's own chain (environment, profile, instance role); this module never
takes, keeps or prints them, and registers the secret it finds so nothing dave prints shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from dave.core.errors import ConfigError
from dave.core.redact import redact, remember

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MIB = 1 << 20
# A file up to this size goes up in one PutObject; a larger one in parts. Parts are read from
# disk as they are sent (s3transfer's ReadFileChunk), so memory stays near a few socket
# buffers whatever the file's size.
MULTIPART_THRESHOLD = 64 * MIB
# 16 MiB parts: a 1 GiB file is 64 parts, far below S3's 10,000, and each part is big enough
# that a request's fixed cost is small next to its transfer.
MULTIPART_CHUNKSIZE = 16 * MIB

#: What kind of failure a call met: each caller has an error type per kind.
Kind = Literal["credentials", "unreachable", "bucket", "other"]

# Codes (besides any 401/403) that mean the credentials, or their permission, were refused.
_REFUSED_CODES = frozenset(
    {
        "AccessDenied",
        "AllAccessDisabled",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "TokenRefreshRequired",
    }
)


def make_client(
    endpoint_url: str | None, region: str | None, *, max_pool_connections: int = 10
) -> S3Client:
    """An S3 client for `endpoint_url` (None: AWS itself); ConfigError if it cannot be set up."""
    try:
        session = boto3.session.Session(region_name=region)
        client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(
                # SigV4 everywhere: botocore would presign some URLs with SigV2, which newer
                # AWS regions refuse.
                signature_version="s3v4",
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=10,
                read_timeout=60,
                max_pool_connections=max_pool_connections,
                # Most S3-compatible stores (MinIO, moto, R2 on its account endpoint) serve
                # buckets on the path; virtual hosts need DNS that a custom endpoint may not
                # have. AWS itself keeps boto3's choice.
                s3={"addressing_style": "path"} if endpoint_url else {},
            ),
        )
    except ProfileNotFound as error:
        raise ConfigError(
            f"AWS profile {error.kwargs.get('profile')!r} is not configured",
            hint="check AWS_PROFILE and ~/.aws/config",
        ) from None
    except (BotoCoreError, ValueError) as error:
        raise ConfigError(f"cannot set up the S3 client: {one_line(error)}") from None
    # The client has resolved boto3's credential chain by now (this reads what it found, and
    # sends nothing): the secret is registered so no message or log line can show it.
    credentials = session.get_credentials()
    if credentials is not None:
        for value in (credentials.secret_key, credentials.token):
            if value:
                remember(value)
    return client


def transfer_config(
    concurrency: int,
    threshold: int = MULTIPART_THRESHOLD,
    chunksize: int = MULTIPART_CHUNKSIZE,
) -> TransferConfig:
    """How an upload goes: one PutObject up to `threshold`, parts of `chunksize` above it,
    `concurrency` parts at once. "classic" keeps s3transfer (and so any hooks registered on
    the client) even where the CRT transfer client is installed."""
    return TransferConfig(
        multipart_threshold=threshold,
        multipart_chunksize=chunksize,
        max_concurrency=concurrency,
        use_threads=True,
        preferred_transfer_client="classic",
    )


def code(error: ClientError) -> str:
    """The store's error code: `NoSuchKey`, `AccessDenied`, …"""
    return str(error.response.get("Error", {}).get("Code", ""))


def status(error: ClientError) -> int | None:
    """The HTTP status of the store's answer."""
    found: Any = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(found) if found is not None else None


def explain(
    error: BaseException, *, endpoint: str, bucket: str, doing: str, of_bucket: bool = False
) -> tuple[Kind, str]:
    """What kind of failure `error` is and one line for it, with no credential in it.

    `doing` names the call ("the upload of 'a/b.png'"); `of_bucket` says the call was about the
    bucket itself, so a 404 means the bucket is missing.
    """
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return "credentials", "no AWS credentials were found for S3"
    if isinstance(error, CredentialRetrievalError):
        return "credentials", "the AWS credentials for S3 could not be loaded"
    if isinstance(error, BotoConnectionError):
        return "unreachable", f"cannot reach the S3 endpoint {endpoint}"
    if isinstance(error, HTTPClientError):
        return "unreachable", (
            f"the S3 endpoint {endpoint} stopped answering ({type(error).__name__})"
        )
    if isinstance(error, ClientError):
        found, answered = code(error), status(error)
        detail = f"{answered} {found}" if found and found != str(answered) else f"{answered}"
        if found == "NoSuchBucket" or (of_bucket and answered == 404):
            return "bucket", f"S3 bucket {bucket!r} does not exist"
        if answered in (401, 403) or found in _REFUSED_CODES:
            return "credentials", f"S3 refused the credentials for bucket {bucket!r} ({detail})"
        return "other", f"S3 answered {detail} to {doing} in bucket {bucket!r}"
    return "other", f"S3 failed at {doing}: {one_line(error)}"


def one_line(error: BaseException) -> str:
    """The error's text on one line, with every known secret redacted."""
    text = " ".join(str(error).split()) or type(error).__name__
    return redact(text)
