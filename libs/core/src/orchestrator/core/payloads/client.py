"""The boto3 client of the payload store, built on first use (ADR 0089).

boto3 and botocore weigh some 30 MB in a process: a service with no bucket configured,
or one that has not stored a large payload yet, never imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.core.settings import PayloadSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def open_client(settings: PayloadSettings) -> S3Client:
    """A client of the configured endpoint; credentials from boto3's standard chain.

    Its own session: the default one boto3 keeps is not safe to build clients from in
    several threads at once. Two attempts at most, each connection and read bounded by
    ``timeout_s`` (the store bounds the whole call too).
    """
    import boto3
    from botocore.config import Config

    endpoint = settings.endpoint_url or None
    options = Config(
        connect_timeout=settings.timeout_s,
        read_timeout=settings.timeout_s,
        retries={"total_max_attempts": 2, "mode": "standard"},
        # An S3-compatible endpoint (MinIO, moto) serves buckets on its path, not as hosts.
        s3={"addressing_style": "path"} if endpoint else None,
    )
    client: S3Client = boto3.session.Session().client("s3", endpoint_url=endpoint, config=options)
    return client
