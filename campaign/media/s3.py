"""Photo files in an S3-compatible object store, shared by every app instance.

Chosen by MEDIA_STORAGE_URL (``storage.storage_for``):
``s3://BUCKET[/PREFIX][?endpoint=URL&region=NAME&addressing=path|virtual]``.
Without ``endpoint`` it is Amazon S3; with one, any store that speaks its API
(SeaweedFS, Ceph, Garage, Cloudflare R2...), addressed by path unless told
otherwise. Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ``~/.aws``, an instance or pod role),
never from the URL, so they are in no log and no error page.

The bucket stays private: the app reads it and streams each rendition through
``/media/<name>`` (``media.views`` says why). The objects get only the names
the storage makes (``storage.NAME_PATTERN``) under the prefix.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from campaign.media import inflight
from campaign.media.storage import (
    StorageUnavailable,
    StoredFile,
    check_key,
    content_type,
    is_safe_key,
)

OPTIONS = {"endpoint", "region", "addressing"}
ADDRESSING = {"path", "virtual", "auto"}
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def _not_found(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND


@contextmanager
def _store_calls(what: str):
    """Any failure of the store becomes ``StorageUnavailable`` (an OSError, which the
    callers already handle for a disk), naming the call but no credentials."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "?")
        raise StorageUnavailable(f"media store refused {what}: {code}") from error
    except BotoCoreError as error:
        raise StorageUnavailable(f"media store unreachable for {what}: {error}") from error


class S3Storage:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        journal_root: Path,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        addressing: str = "auto",
    ):
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.root = journal_root  # only for the journal of files in flight (``inflight``)
        self._client_options = {
            "endpoint_url": endpoint,
            "region_name": region,
            "config": Config(
                s3={"addressing_style": addressing},
                # A store that is down costs a request a few seconds, not a minute:
                # one retry (a dropped connection), short connect timeout.
                connect_timeout=3,
                read_timeout=20,
                retries={"max_attempts": 2, "mode": "standard"},
                # Checksums only where the API requires them: several S3-compatible
                # stores refuse the newer default ones.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        }
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._s3 = None

    @classmethod
    def from_url(cls, bucket: str, prefix: str, options: dict, journal_root: Path):
        unknown = sorted(set(options) - OPTIONS)
        if unknown:
            raise ValueError(
                f"MEDIA_STORAGE_URL: unknown option {', '.join(unknown)} "
                f"(known: {', '.join(sorted(OPTIONS))})"
            )
        addressing = options.get("addressing") or ("path" if options.get("endpoint") else "auto")
        if addressing not in ADDRESSING:
            raise ValueError(f"MEDIA_STORAGE_URL: addressing must be one of {sorted(ADDRESSING)}")
        return cls(
            bucket,
            prefix,
            journal_root,
            endpoint=options.get("endpoint"),
            region=options.get("region"),
            addressing=addressing,
        )

    @property
    def client(self):
        """A client of this process: one made before gunicorn forked would share its
        open connections with every worker."""
        with self._lock:
            if self._s3 is None or self._pid != os.getpid():
                self._s3 = boto3.session.Session().client("s3", **self._client_options)
                self._pid = os.getpid()
            return self._s3

    def _key(self, name: str) -> str:
        return self.prefix + check_key(name)

    def save(self, name: str, data: bytes) -> None:
        key = self._key(name)
        inflight.note_written(self.root, name)
        with _store_calls("a write"):  # a PUT is whole or nothing: never a half-written file
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type(name)
            )

    def copy(self, name: str, new_name: str) -> None:
        """The same bytes under a second name, copied inside the store. Noted like a
        file written (``save``); FileNotFoundError when there is nothing to copy."""
        source, target = self._key(name), self._key(new_name)
        inflight.note_written(self.root, new_name)
        try:
            with _store_calls("a copy"):
                self.client.copy_object(
                    Bucket=self.bucket,
                    Key=target,
                    CopySource={"Bucket": self.bucket, "Key": source},
                )
        except StorageUnavailable as error:
            if isinstance(error.__cause__, ClientError) and _not_found(error.__cause__):
                raise FileNotFoundError(name) from error
            raise

    def open(self, name: str) -> StoredFile | None:
        key = self._key(name)
        try:
            with _store_calls("a read"):
                answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except StorageUnavailable as error:
            if isinstance(error.__cause__, ClientError) and _not_found(error.__cause__):
                return None
            raise
        return StoredFile(
            body=answer["Body"],  # streamed: read in blocks, never held whole
            size=answer["ContentLength"],
            etag=answer["ETag"].strip('"'),
            modified=answer["LastModified"].timestamp(),
        )

    def exists(self, name: str) -> bool:
        key = self._key(name)
        try:
            with _store_calls("a look-up"):
                self.client.head_object(Bucket=self.bucket, Key=key)
        except StorageUnavailable as error:
            if isinstance(error.__cause__, ClientError) and _not_found(error.__cause__):
                return False
            raise
        return True

    def delete(self, name: str) -> None:
        key = self._key(name)
        with _store_calls("a deletion"):  # deleting a missing key succeeds: no error to catch
            self.client.delete_object(Bucket=self.bucket, Key=key)
        inflight.forget(self.root, name)

    def listing(self) -> Iterator[tuple[str, float]]:
        """Every object under the prefix, with the time it was written."""
        pages = self.client.get_paginator("list_objects_v2")
        with _store_calls("a listing"):
            for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for entry in page.get("Contents", []):
                    key = entry["Key"][len(self.prefix) :]
                    if is_safe_key(key):  # anything else is no file of ours to touch
                        yield key, entry["LastModified"].timestamp()
