"""The team media library in S3: every file under a content-addressed key
(`<prefix>ab/cd/<sha256>.<ext>`, the same path the assets table stores), with the local media
folder as this machine's cache of it.

A commit uploads the verified download, then files it locally (atomically, as MediaFolder does),
before the caller records its asset row: a crash leaves at most an object with no row yet, which
the job's resume records, never a row pointing at nothing; a failed upload leaves the staged
file in place for the resume. A read (`fetch`) takes the local copy,
or streams the object from S3 into the cache, checking its bytes against the sha256 in its name.

Not for the catalogue (assets.py) nor for publishing (dave.publish: a CDN is another bucket).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError

from dave.core import s3
from dave.core.errors import NotFound, StoreError
from dave.core.settings import S3Media

from .files import _SHA256, MediaFolder, Staging

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_CHUNK = 1 << 20
# Parts of a large file at once: uploads run in worker threads, several per process.
_PARTS_AT_ONCE = 4


class S3MediaFolder(MediaFolder):
    """Media in S3 at `location`, cached under `root`."""

    def __init__(self, root: Path, location: S3Media, client: S3Client | None = None) -> None:
        super().__init__(root)
        self.location = location
        self._client = client or s3.make_client(
            location.endpoint_url, location.region, max_pool_connections=16
        )
        self._endpoint = self._client.meta.endpoint_url
        self._transfer = s3.transfer_config(_PARTS_AT_ONCE)

    def key(self, rel: str | Path) -> str:
        """The object key of a stored relative path: the prefix, then the same path."""
        self.absolute(rel)  # refuses a path that climbs out
        return f"{self.location.prefix}{PurePosixPath(Path(rel).as_posix())}"

    def commit(self, staging: Staging, ext: str = "") -> Path:
        """Uploads the staged download unless S3 holds it already, then files it locally. A
        failed upload leaves the staged file where the journal names it, to try again."""
        if staging.discarded or staging.committed_path is not None:
            return super().commit(staging, ext)
        staging.close()
        self.upload(staging.path, self.relative(self.path_for(staging.sha256, ext)))
        return super().commit(staging, ext)

    def upload(self, path: Path, rel: str | None = None) -> bool:
        """Puts the file at `path` at the key of `rel` (default: its own place in the folder);
        False if S3 held it already."""
        rel = rel if rel is not None else self.relative(path)
        key = self.key(rel)
        size = path.stat().st_size
        if self._size(key) == size:
            return False
        extra: dict[str, Any] = {"ContentType": _mime(rel)}
        sha = _sha_of(rel)
        if sha:
            extra["Metadata"] = {"sha256": sha}
        try:
            self._client.upload_file(
                str(path), self.location.bucket, key, ExtraArgs=extra, Config=self._transfer
            )
        except (S3UploadFailedError, ClientError, BotoCoreError, OSError) as error:
            # boto3 wraps the store's answer in S3UploadFailedError (raised while handling it).
            cause = error.__context__ if error.__context__ is not None else error
            raise self._error(cause, f"the upload of {key!r}") from None
        stored = self._size(key)
        if stored != size:
            raise StoreError(f"S3 holds {stored} bytes at {key!r} after an upload of {size}")
        return True

    def fetch(self, rel: str | Path) -> Path:
        """The local file for `rel`, streamed from S3 into the cache first if it is not here."""
        path = self.absolute(rel)
        if path.is_file():
            return path
        sha = _sha_of(str(rel))
        if sha is None:
            raise StoreError(f"{str(rel)!r} is not a content-addressed media path")
        key = self.key(rel)
        try:
            body = self._client.get_object(Bucket=self.location.bucket, Key=key)["Body"]
        except (ClientError, BotoCoreError) as error:
            if isinstance(error, ClientError) and s3.code(error) in ("NoSuchKey", "404"):
                raise NotFound(
                    f"the media file {rel} is in neither {self.root} nor {self.location.url}"
                ) from None
            raise self._error(error, f"a GET of {key!r}") from None
        with self.stage(".fetch") as staging:
            try:
                for chunk in body.iter_chunks(_CHUNK):
                    staging.write(chunk)
            except (BotoCoreError, OSError) as error:
                raise self._error(error, f"a GET of {key!r}") from None
            finally:
                body.close()
        if staging.sha256 != sha:
            staging.discard()
            raise StoreError(f"the S3 object {key!r} does not hold the bytes its name promises")
        return MediaFolder.commit(self, staging, PurePosixPath(str(rel)).suffix)

    def exists(self, rel: str | Path) -> bool:
        return self.absolute(rel).is_file() or self._size(self.key(rel)) is not None

    def _size(self, key: str) -> int | None:
        """The stored object's size, or None when there is none."""
        try:
            head = self._client.head_object(Bucket=self.location.bucket, Key=key)
        except ClientError as error:
            if s3.status(error) == 404:
                return None
            raise self._error(error, f"a HEAD of {key!r}") from None
        except BotoCoreError as error:
            raise self._error(error, f"a HEAD of {key!r}") from None
        return int(head["ContentLength"])

    def _error(self, error: BaseException, doing: str) -> StoreError:
        kind, line = s3.explain(
            error, endpoint=self._endpoint, bucket=self.location.bucket, doing=doing
        )
        hints = {
            "credentials": "check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE)",
            "unreachable": "check DAVE_S3_ENDPOINT_URL and the network",
            "bucket": "create the bucket, or check DAVE_MEDIA_URL",
        }
        return StoreError(
            f"the media library: {line}",
            hint=hints.get(kind, "nothing is recorded until S3 holds the file; try again"),
        )

    def __repr__(self) -> str:
        return f"S3MediaFolder({str(self.root)!r}, {self.location.url!r})"


def _sha_of(rel: str) -> str | None:
    """The sha256 a content-addressed name carries, if it is one."""
    stem = PurePosixPath(rel).name.split(".", 1)[0]
    return stem if _SHA256.match(stem) else None


def _mime(rel: str) -> str:
    return mimetypes.guess_type(rel)[0] or "application/octet-stream"
