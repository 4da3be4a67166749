"""Where the warehouse lives: a local folder or an S3-compatible prefix.

Everything goes through a pyarrow FileSystem so the same code writes locally
and to object storage. Local writes go to a temporary name and are renamed
into place, so a reader never sees a partial file; an S3 PUT is atomic
already.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

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
