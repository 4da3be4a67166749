"""Where the warehouse lives: a local folder or an S3-compatible prefix.

Everything goes through a pyarrow FileSystem so the same code writes locally
and to object storage. Local writes go to a temporary name and are renamed
into place, so a reader never sees a partial file; an S3 PUT is atomic
already.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

ROW_GROUP_SIZE = 64_000  # several row groups per large file so DuckDB can scan in parallel
TMP_MARK = ".tmp-"


def s3_filesystem() -> pafs.S3FileSystem:
    """An S3 filesystem from the usual AWS variables (AWS_ENDPOINT_URL for S3-compatible servers)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    kwargs = {}
    if endpoint:
        scheme, _, rest = endpoint.partition("://")
        kwargs = {"endpoint_override": rest or scheme, "scheme": scheme if rest else "https"}
    return pafs.S3FileSystem(
        access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        session_token=os.environ.get("AWS_SESSION_TOKEN"),
        region=os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1",
        allow_bucket_creation=True,
        **kwargs,
    )


@dataclass
class Store:
    """A warehouse root: `Store("warehouse")` or `Store("s3://bucket/prefix")`."""

    root: str

    def __post_init__(self) -> None:
        self.is_s3 = self.root.startswith("s3://")
        if self.is_s3:
            self.fs: pafs.FileSystem = s3_filesystem()
            self.base = self.root[len("s3://"):].rstrip("/")
        else:
            self.fs = pafs.LocalFileSystem()
            self.base = str(Path(self.root).absolute())

    def path(self, rel: str) -> str:
        """Filesystem path of a warehouse-relative path."""
        return f"{self.base}/{rel}" if rel else self.base

    def uri(self, rel: str) -> str:
        """What DuckDB and users see: an absolute local path or an s3:// URI."""
        return f"s3://{self.path(rel)}" if self.is_s3 else self.path(rel)

    @property
    def local_dir(self) -> Path:
        """A local folder for things that must be local (DuckDB file, GE project, lock).

        For S3 warehouses it is `.etl-cache/<bucket>/<prefix>` under the current folder.
        """
        if not self.is_s3:
            return Path(self.base)
        return Path(".etl-cache") / self.base

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def makedirs(self, rel: str) -> None:
        if not self.is_s3:
            self.fs.create_dir(self.path(rel), recursive=True)

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a whole file atomically."""
        target = self.path(rel)
        self.makedirs(rel.rpartition("/")[0])
        tmp = target if self.is_s3 else f"{target.rpartition('/')[0]}/{TMP_MARK}{uuid.uuid4().hex}"
        with self.fs.open_output_stream(tmp, compression=None) as out:  # bytes as given, even for .gz names
            out.write(data)
        if tmp != target:
            self.fs.move(tmp, target)

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self.path(rel), compression=None) as stream:
            return stream.read()

    def write_parquet(self, rel: str, table: pa.Table) -> None:
        """Write a Parquet file atomically, in row groups DuckDB can scan in parallel."""
        target = self.path(rel)
        self.makedirs(rel.rpartition("/")[0])
        tmp = target if self.is_s3 else f"{target.rpartition('/')[0]}/{TMP_MARK}{uuid.uuid4().hex}"
        pq.write_table(table, tmp, filesystem=self.fs, row_group_size=ROW_GROUP_SIZE, compression="zstd")
        if tmp != target:
            self.fs.move(tmp, target)

    def list_files(self, rel: str, suffix: str = "") -> list[str]:
        """Warehouse-relative paths of finished files under a folder (temporaries excluded)."""
        selector = pafs.FileSelector(self.path(rel), recursive=True, allow_not_found=True)
        out = []
        for info in self.fs.get_file_info(selector):
            name = info.base_name
            if info.type == pafs.FileType.File and name.endswith(suffix) and not name.startswith(TMP_MARK):
                out.append(info.path[len(self.base) + 1:])
        return sorted(out)

    def delete(self, rel: str) -> None:
        self.fs.delete_file(self.path(rel))

    def move(self, src: str, dst: str) -> None:
        self.makedirs(dst.rpartition("/")[0])
        self.fs.move(self.path(src), self.path(dst))

    def lock(self) -> "FileLock | S3Lease":
        """The warehouse lock: a local lock file, or for S3 a lease object in the bucket.

        Both have `acquire(timeout)` (raising filelock.Timeout), `release()` and `lock_file`.
        """
        if self.is_s3:
            return S3Lease(self)
        self.local_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.local_dir / ".etl.lock"))


def holder_name() -> str:
    """Who holds a lock: host, process id and working folder."""
    return f"{socket.gethostname()} pid {os.getpid()} in {Path.cwd()}"


class S3Lease:
    """The lock of an S3 warehouse: `<prefix>/_lock/lease.json`, created with a conditional PUT.

    `If-None-Match: *` lets exactly one machine create the lease; it names its
    holder and an expiry, and a heartbeat thread renews it (`If-Match` on its
    ETag) every third of `ttl`. A lease left by a killed run is taken over
    once expired, again conditionally, so two takers cannot both win.
    """

    KEY = "_lock/lease.json"

    def __init__(self, store: Store, ttl: float = 600.0, poll: float = 1.0):
        self.store = store
        self.ttl = ttl
        self.poll = poll
        bucket, _, prefix = store.base.partition("/")
        self.bucket = bucket
        self.key = f"{prefix}/{self.KEY}" if prefix else self.KEY
        self.lock_file = f"s3://{bucket}/{self.key}"
        self.holder = holder_name()
        self.etag: str | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import boto3

            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            self._client = boto3.client("s3", endpoint_url=endpoint or None)
        return self._client

    @property
    def is_locked(self) -> bool:
        return self.etag is not None

    def _body(self) -> bytes:
        now = time.time()
        return json.dumps({"holder": self.holder, "token": uuid.uuid4().hex, "acquired_at": now,
                           "expires_at": now + self.ttl}).encode()

    def _put(self, **condition) -> bool:
        """One conditional PUT of a fresh lease; False when the condition failed."""
        from botocore.exceptions import ClientError

        try:
            out = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=self._body(),
                                         ContentType="application/json", **condition)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
                return False
            raise
        self.etag = out["ETag"]
        return True

    def current(self) -> tuple[dict, str] | None:
        """The lease in the bucket and its ETag, or None when there is none."""
        from botocore.exceptions import ClientError

        try:
            out = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return json.loads(out["Body"].read()), out["ETag"]

    def acquire(self, timeout: float = 0.0) -> "S3Lease":
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            if self._put(IfNoneMatch="*"):
                break
            lease = self.current()
            if lease is not None and lease[0].get("expires_at", 0) < time.time():
                log.warning("taking over the expired lease of %s (held by %s)", self.lock_file, lease[0].get("holder"))
                if self._put(IfMatch=lease[1]):
                    break
            if time.monotonic() >= deadline:
                who = lease[0].get("holder") if lease else "another process"
                raise Timeout(f"{self.lock_file} (held by {who})")
            time.sleep(self.poll)
        self._stop.clear()
        self._beat = threading.Thread(target=self._renew, name="s3-lease", daemon=True)
        self._beat.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            etag = self.etag
            if etag is None or not self._put(IfMatch=etag):
                log.error("lost the warehouse lease %s: another process took it over", self.lock_file)
                return

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        lease = self.current()
        if lease is not None and self.etag is not None and lease[1] == self.etag:
            self.client.delete_object(Bucket=self.bucket, Key=self.key)
        self.etag = None

    def __enter__(self) -> "S3Lease":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
