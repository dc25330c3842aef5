"""Publishing to Amazon S3 or an S3-compatible store (MinIO, Cloudflare R2, moto, ...) with boto3:
a HEAD to find an object, a create-only streamed upload to place one, and either a public URL
or a presigned GET URL to link to it.

Not for reading settings (settings.py builds an S3Target from plain values) nor for the
journal of publications (publisher.py). Credentials come from boto3's own chain (environment,
profile, instance role); this module never takes, keeps or prints them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError

from dave.core import s3
from dave.core.errors import ConfigError, NotFound
from dave.publish.errors import (
    BucketMissing,
    CredentialsRefused,
    PublishError,
    TargetUnreachable,
)
from dave.publish.target import CACHE_CONTROL, Placed, content_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import HeadObjectOutputTypeDef

# The sizes every S3 upload of dave's uses (dave.core.s3), named here so one target's can change.
MULTIPART_THRESHOLD = s3.MULTIPART_THRESHOLD
MULTIPART_CHUNKSIZE = s3.MULTIPART_CHUNKSIZE
MAX_CONCURRENCY = 4
# SigV4 presigned URLs live at most 7 days.
MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600

# A create-only write lost to another writer of the same key (412), or met one still going (409).
_LOST_RACE_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})


def _create_only(params: dict[str, Any], **_: Any) -> None:
    """Makes a PutObject or CompleteMultipartUpload fail (412) if the key is taken."""
    params.setdefault("IfNoneMatch", "*")


class S3Target:
    """A bucket (and key prefix) to publish to. `find`, `put` and `link` talk to the store;
    `key_for` does not."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        public_base_url: str | None = None,
        presign_expires_s: int = 86400,
    ) -> None:
        if not bucket or "/" in bucket:
            raise ConfigError(f"S3 bucket name {bucket!r} is not usable")
        if prefix.startswith("/"):
            raise ConfigError(
                f"S3 key prefix {prefix!r} starts with '/'", hint="write it as 'media/', say"
            )
        if not 1 <= presign_expires_s <= MAX_PRESIGN_EXPIRES_S:
            raise ConfigError(
                f"presigned links must last 1 to {MAX_PRESIGN_EXPIRES_S} s "
                f"(7 days), not {presign_expires_s}"
            )
        if public_base_url is not None and not public_base_url.startswith(("http://", "https://")):
            raise ConfigError(f"public base URL {public_base_url!r} is not an http(s) URL")
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region = region
        self.public_base_url = public_base_url
        self.presign_expires_s = presign_expires_s
        self._client = self._make_client()
        self._endpoint = self._client.meta.endpoint_url
        # Parts up to MAX_CONCURRENCY at once; "classic" keeps s3transfer (and so the
        # create-only hooks of _make_client) even where the CRT transfer client is installed.
        self._transfer = s3.transfer_config(
            MAX_CONCURRENCY, MULTIPART_THRESHOLD, MULTIPART_CHUNKSIZE
        )
        # Set once a HEAD of the bucket has answered: a missing key is then only a missing key.
        self._bucket_seen = False

    def _make_client(self) -> S3Client:
        client = s3.make_client(
            self.endpoint_url, self.region, max_pool_connections=MAX_CONCURRENCY + 2
        )
        # s3transfer's upload_file refuses IfNoneMatch among its ExtraArgs, so it is added to
        # the two requests that create an object: a single-part PutObject and a multipart
        # upload's CompleteMultipartUpload (S3 has honoured If-None-Match on both since 2024;
        # moto does too). The HEAD in put() keeps a republish to one request; this keeps
        # create-only true when two publishers race for the same key.
        client.meta.events.register("before-parameter-build.s3.PutObject", _create_only)
        client.meta.events.register(
            "before-parameter-build.s3.CompleteMultipartUpload", _create_only
        )
        return client

    def __repr__(self) -> str:
        return (
            f"S3Target(bucket={self.bucket!r}, prefix={self.prefix!r}, "
            f"endpoint_url={self.endpoint_url!r}, region={self.region!r}, "
            f"public_base_url={self.public_base_url!r}, "
            f"presign_expires_s={self.presign_expires_s})"
        )

    def key_for(self, sha256: str, ext: str) -> str:
        return content_key(self.prefix, sha256, ext)

    def find(self, key: str) -> Placed | None:
        head = self._head(key)
        if head is None:
            return None
        return self._placed(key, head, uploaded=False)

    def put(self, path: Path, key: str, mime: str) -> Placed:
        found = self.find(key)
        if found is not None:
            return found
        try:
            size = path.stat().st_size
        except OSError:
            raise NotFound(f"no file to publish at {path}") from None
        try:
            self._client.upload_file(
                str(path),
                self.bucket,
                key,
                ExtraArgs={"ContentType": mime, "CacheControl": CACHE_CONTROL},
                Config=self._transfer,
            )
        except S3UploadFailedError as error:
            # boto3 wraps the store's answer in S3UploadFailedError (raised while handling it).
            cause = error.__context__
            if isinstance(cause, ClientError) and s3.code(cause) in _LOST_RACE_CODES:
                # Another publisher placed this key between the HEAD and the upload. The key
                # names its bytes, so the object there is this file: link to it.
                found = self.find(key)
                if found is not None:
                    return found
                raise PublishError(
                    f"another upload to S3 key {key!r} is under way", hint="try again shortly"
                ) from None
            if isinstance(cause, (ClientError, BotoCoreError)):
                raise self._translate(cause, f"the upload of {key!r}") from None
            raise PublishError(f"S3 refused the upload of {key!r}") from None
        except (ClientError, BotoCoreError) as error:
            raise self._translate(error, f"the upload of {key!r}") from None
        head = self._head(key)
        if head is None:
            raise PublishError(f"S3 has no object at {key!r} right after uploading it")
        stored = head.get("ContentLength")
        if stored != size:
            raise PublishError(f"S3 holds {stored} bytes at {key!r} after an upload of {size}")
        return self._placed(key, head, uploaded=True)

    def link(self, key: str) -> tuple[str, datetime | None]:
        if self.public_base_url is not None:
            return f"{self.public_base_url.rstrip('/')}/{quote(key)}", None
        # Taken before signing: botocore's own clock can only be later, so the URL lasts at
        # least until expires_at. (With temporary credentials it also stops working when they
        # expire, which S3 alone decides.)
        now = datetime.now(UTC)
        try:
            url = self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=self.presign_expires_s,
            )
        except BotoCoreError as error:
            raise self._translate(error, f"signing a link to {key!r}") from None
        return url, now + timedelta(seconds=self.presign_expires_s)

    def _placed(self, key: str, head: HeadObjectOutputTypeDef, *, uploaded: bool) -> Placed:
        url, expires_at = self.link(key)
        etag = head.get("ETag")
        return Placed(
            key=key,
            url=url,
            expires_at=expires_at,
            etag=etag.strip('"') if etag else None,
            uploaded=uploaded,
        )

    def _head(self, key: str) -> HeadObjectOutputTypeDef | None:
        """The object's metadata, or None when there is no object at `key`."""
        try:
            return self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if s3.status(error) != 404:
                raise self._translate(error, f"a HEAD of {key!r}") from None
        except BotoCoreError as error:
            raise self._translate(error, f"a HEAD of {key!r}") from None
        # A HEAD's 404 has no body, so a missing key and a missing bucket look alike.
        self._check_bucket()
        return None

    def _check_bucket(self) -> None:
        if self._bucket_seen:
            return
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            status = s3.status(error)
            if status == 403:
                # Credentials that may write objects but not list the bucket: the upload
                # itself will say whether they are enough.
                return
            raise self._translate(error, "a HEAD of the bucket", bucket=True) from None
        except BotoCoreError as error:
            raise self._translate(error, "a HEAD of the bucket", bucket=True) from None
        self._bucket_seen = True

    def _translate(
        self, error: BotoCoreError | ClientError, doing: str, *, bucket: bool = False
    ) -> PublishError:
        """One line for what went wrong, with no credential and no traceback in it."""
        kind, line = s3.explain(
            error, endpoint=self._endpoint, bucket=self.bucket, doing=doing, of_bucket=bucket
        )
        return _ERRORS[kind](line)


_ERRORS: dict[s3.Kind, type[PublishError]] = {
    "credentials": CredentialsRefused,
    "unreachable": TargetUnreachable,
    "bucket": BucketMissing,
    "other": PublishError,
}
