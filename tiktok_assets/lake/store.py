"""The lake as a Dagster resource: a local folder by default, any S3-compatible store by URL.

Why fsspec + pyarrow instead of an IO manager: assets stream many pages into many partitions per run
and must replace a partition atomically (see :mod:`tiktok_assets.lake.writer`); an IO manager stores
one return value per output. ``lake_url`` is a path (``data/lake``, resolved to an absolute path) or
``s3://bucket/prefix``; ``s3_endpoint_url`` points s3fs at MinIO/moto/R2/... Credentials default to
the usual AWS chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / profiles).
"""

from __future__ import annotations

import functools
import os
from datetime import date
from typing import Any, Callable, Iterable, Optional, TypeVar

import fsspec
import pyarrow as pa
from dagster import ConfigurableResource
from pydantic import PrivateAttr

from tiktok_assets.lake import paths
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.lake.writer import DEFAULT_ROW_GROUP_ROWS, PartitionWriter, WriteStats
from tiktok_assets.settings import DEFAULT_LAKE_URL

# Low retry/timeout settings: a wrong endpoint must fail in seconds, not after minutes of backoff.
S3_CONFIG_KWARGS: dict[str, Any] = {
    "connect_timeout": 5,
    "read_timeout": 60,
    "retries": {"max_attempts": 2, "mode": "standard"},  # retries after the first try
}
S3FS_RETRIES = 2
T = TypeVar("T")


class LakeUnreachableError(RuntimeError):
    """The lake's store cannot be reached or does not exist (bad endpoint, missing bucket, no access)."""


def _connection_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError, NoCredentialsError
    except ImportError:  # pragma: no cover - botocore ships with s3fs
        return (ConnectionError,)
    return (ConnectionError, BotoConnectionError, HTTPClientError, NoCredentialsError)


def _store_errors(method: Callable[..., T]) -> Callable[..., T]:
    """Turn connection-level failures of the store into :class:`LakeUnreachableError` naming the lake."""
    @functools.wraps(method)
    def wrapper(self: "Lake", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except _connection_errors() as exc:
            raise LakeUnreachableError(f"lake {self._where()} is unreachable: {exc}") from exc
    return wrapper


class Lake:
    """Table-level access to the lake: partition writers, reads, listing, deletes."""

    def __init__(self, url: str = DEFAULT_LAKE_URL, s3_endpoint_url: str | None = None, *,
                 aws_access_key_id: str | None = None, aws_secret_access_key: str | None = None,
                 row_group_size: int = DEFAULT_ROW_GROUP_ROWS) -> None:
        if not url:
            raise ValueError("lake url is empty")
        protocol = fsspec.utils.get_protocol(url)
        self.s3_endpoint_url = s3_endpoint_url or None
        self.row_group_size = row_group_size
        self.is_local = protocol in ("file", "local")
        if protocol in ("file", "local"):
            self.root = os.path.abspath(os.path.expanduser(url.split("://", 1)[-1]))
            self.url = self.root
            self.fs: fsspec.AbstractFileSystem = fsspec.filesystem("file")
        elif protocol in ("s3", "s3a"):
            import s3fs

            self.root = url.split("://", 1)[1].strip("/")
            if not self.root:
                raise ValueError(f"lake url {url!r} names no bucket")
            self.url = f"s3://{self.root}"
            client_kwargs = {"endpoint_url": self.s3_endpoint_url} if self.s3_endpoint_url else {}
            self.fs = s3fs.S3FileSystem(
                key=aws_access_key_id or None, secret=aws_secret_access_key or None,
                client_kwargs=client_kwargs, config_kwargs=dict(S3_CONFIG_KWARGS),
                skip_instance_cache=True, use_listings_cache=False,
            )
            self.fs.retries = S3FS_RETRIES
        else:
            self.fs, self.root = fsspec.core.url_to_fs(url)
            self.url = url

    def __repr__(self) -> str:
        endpoint = f", endpoint={self.s3_endpoint_url!r}" if self.s3_endpoint_url else ""
        return f"Lake({self.url!r}{endpoint})"

    def _where(self) -> str:
        return self.url + (f" (endpoint {self.s3_endpoint_url})" if self.s3_endpoint_url else "")

    # -- health ----------------------------------------------------------------------------------
    def check_reachable(self) -> None:
        """Fail fast with :class:`LakeUnreachableError` naming the URL if the store is not usable."""
        try:
            if self.is_local:
                os.makedirs(self.root, exist_ok=True)
                if not os.access(self.root, os.W_OK):
                    raise LakeUnreachableError(f"lake {self.url} is not writable")
            elif "s3" in _protocols(self.fs):
                bucket = self.root.split("/", 1)[0]
                try:
                    self.fs.call_s3("head_bucket", Bucket=bucket)
                except FileNotFoundError:
                    raise LakeUnreachableError(f"lake {self._where()}: bucket {bucket!r} does not exist") from None
            else:
                self.fs.ls(self.root)
        except LakeUnreachableError:
            raise
        except (OSError, *_connection_errors()) as exc:
            raise LakeUnreachableError(f"lake {self._where()} is unreachable: {exc}") from exc

    # -- paths -----------------------------------------------------------------------------------
    def partition_dir(self, table: str, partition_date: date | str, key: str) -> str:
        return paths.partition_dir(self.root, table, partition_date, None, key)

    def partition_file(self, table: str, partition_date: date | str, key: str) -> str:
        return paths.partition_file(self.root, table, partition_date, key)

    # -- writes ----------------------------------------------------------------------------------
    def writer(self, table: str, partition_date: date | str, key: str, *, row_group_size: int | None = None) -> PartitionWriter:
        """An atomic streaming writer for one partition (use as a context manager)."""
        return PartitionWriter(self.fs, self.root, table, self.partition_dir(table, partition_date, key),
                               row_group_size=row_group_size or self.row_group_size)

    @_store_errors
    def write_partition(self, table: str, partition_date: date | str, key: str,
                        data: pa.RecordBatch | pa.Table | Iterable[pa.RecordBatch]) -> WriteStats:
        """Replace one partition with ``data`` (a batch, a table, or an iterable of batches)."""
        with self.writer(table, partition_date, key) as w:
            for chunk in [data] if isinstance(data, (pa.RecordBatch, pa.Table)) else data:
                w.write(chunk)
            return w.commit()

    @_store_errors
    def delete_partition(self, table: str, partition_date: date | str, key: str) -> bool:
        """Remove a partition folder; True if something was there."""
        folder = self.partition_dir(table, partition_date, key)
        if not self.fs.exists(folder):
            return False
        self.fs.rm(folder, recursive=True)
        if self.is_local:
            try:
                os.rmdir(os.path.dirname(folder))  # the date= folder, if now empty
            except OSError:
                pass
        return True

    # -- reads -----------------------------------------------------------------------------------
    @_store_errors
    def exists(self, table: str, partition_date: date | str, key: str) -> bool:
        return bool(self.fs.exists(self.partition_file(table, partition_date, key)))

    @_store_errors
    def partitions(self, table: str) -> list[tuple[date, str]]:
        """Committed partitions of ``table`` as sorted (date, decoded key) pairs."""
        kind = paths.entity_kind(table)
        pattern = f"{paths.table_dir(self.root, table)}/date=*/{kind}=*/{paths.PART_FILE}"
        found = []
        for path in self.fs.glob(pattern):
            try:
                ref = paths.parse_partition_path(path)
            except paths.LakePathError:
                continue
            found.append((ref.date, ref.key))
        return sorted(found)

    @_store_errors
    def read(self, table: str, dates: Iterable[date | str] | None = None, keys: Iterable[str] | None = None,
             columns: list[str] | None = None) -> pa.Table:
        """Rows of ``table`` (optionally only some dates/keys/columns), typed exactly as the schema."""
        schema = SCHEMAS.get(table)
        if schema is None:
            raise paths.LakePathError(f"unknown lake table {table!r}")
        wanted_dates = None if dates is None else {date.fromisoformat(paths.format_date(d)) for d in dates}
        wanted_keys = None if keys is None else set(keys)
        files = [
            self.partition_file(table, d, k)
            for d, k in self.partitions(table)
            if (wanted_dates is None or d in wanted_dates) and (wanted_keys is None or k in wanted_keys)
        ]
        if not files:
            empty = schema.empty_table()
            return empty.select(columns) if columns is not None else empty
        import pyarrow.dataset as ds  # lazy: it pulls in pandas (~1 s), which code-location load doesn't need

        dataset = ds.dataset(files, schema=schema, format="parquet", filesystem=self.fs)
        return dataset.to_table(columns=columns)


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    return fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)


class LakeResource(ConfigurableResource):
    """Dagster resource for the lake. Wire ``lake_url=EnvVar("TIKTOK_LAKE_URL")`` and
    ``s3_endpoint_url=EnvVar("TIKTOK_S3_ENDPOINT_URL")``; leave the AWS keys unset to use the
    standard AWS environment variables / profiles."""

    lake_url: str = DEFAULT_LAKE_URL
    s3_endpoint_url: Optional[str] = None
    aws_access_key_id: Optional[str] = None
    aws_secret_access_key: Optional[str] = None

    _lake: Optional[Lake] = PrivateAttr(default=None)

    def get_lake(self) -> Lake:
        """The :class:`Lake` for this configuration (built once per resource instance)."""
        if self._lake is None:
            self._lake = Lake(self.lake_url, self.s3_endpoint_url or None,
                              aws_access_key_id=self.aws_access_key_id or None,
                              aws_secret_access_key=self.aws_secret_access_key or None)
        return self._lake
