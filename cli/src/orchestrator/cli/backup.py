"""``orchestrator backup`` and ``orchestrator restore``: the deployment's database as a
``pg_dump`` custom-format archive in an S3-compatible bucket, under the environment's
prefix, and back into a fresh database (docs/backups.md, ADR 0085 and 0086).

Only the standard library is imported at the top: boto3 and the database driver load
when a command runs, so ``orchestrator --help`` does not pay for them. The naming and
choosing of backups are plain functions, tested on their own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

ENVIRONMENTS = ("dev", "prod")
SSE_MODES = ("", "AES256", "aws:kms")
# Fixed-width UTC stamps sort as they were taken: the latest backup is the greatest key.
KEY = re.compile(r"(?P<environment>[a-z]+)/orchestrator-(?P<stamp>\d{8}T\d{6}\.\d{3}Z)\.dump")
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore that cannot go on, told in one line (never with a secret)."""


@dataclass(frozen=True)
class BackupConfig:
    """Where backups go, from ``ORCH_BACKUP_*`` and ``ORCH_ENVIRONMENT``; credentials are
    boto3's own (the ``AWS_*`` variables, a web identity, an instance profile)."""

    bucket: str
    environment: str
    endpoint_url: str | None = None
    sse: str = ""
    kms_key_id: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BackupConfig:
        """The configuration in ``env``, or a ``BackupError`` saying what is missing."""
        bucket = env.get("ORCH_BACKUP_BUCKET", "").strip()
        if not bucket:
            raise BackupError("ORCH_BACKUP_BUCKET is not set: name the bucket backups go to")
        environment = env.get("ORCH_ENVIRONMENT", "dev").strip() or "dev"
        if environment not in ENVIRONMENTS:
            raise BackupError(f"ORCH_ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}")
        sse = env.get("ORCH_BACKUP_SSE", "").strip()
        if sse not in SSE_MODES:
            raise BackupError("ORCH_BACKUP_SSE must be empty, AES256 or aws:kms")
        kms_key_id = env.get("ORCH_BACKUP_KMS_KEY_ID", "").strip() or None
        if kms_key_id and sse != "aws:kms":
            raise BackupError("ORCH_BACKUP_KMS_KEY_ID needs ORCH_BACKUP_SSE=aws:kms")
        return cls(
            bucket=bucket,
            environment=environment,
            endpoint_url=env.get("ORCH_BACKUP_ENDPOINT_URL", "").strip() or None,
            sse=sse,
            kms_key_id=kms_key_id,
        )

    @property
    def prefix(self) -> str:
        """The environment's prefix in the bucket (``dev/``, ``prod/``)."""
        return f"{self.environment}/"

    def upload_args(self, digest: str, database: str) -> dict[str, Any]:
        """The object's metadata and, when asked for, its server-side encryption."""
        args: dict[str, Any] = {"Metadata": {"sha256": digest, "database": database}}
        if self.sse:
            args["ServerSideEncryption"] = self.sse
        if self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args


def backup_key(environment: str, at: dt.datetime) -> str:
    """The key of a backup taken at ``at`` (aware; written in UTC, to the millisecond)."""
    if at.tzinfo is None:
        raise ValueError("a backup's time must be aware")
    utc = at.astimezone(dt.UTC)
    return f"{environment}/orchestrator-{utc:%Y%m%dT%H%M%S}.{utc.microsecond // 1000:03d}Z.dump"


def latest_key(keys: Iterable[str], environment: str) -> str | None:
    """The newest backup of ``environment`` among ``keys``; other objects are ignored."""
    ours = [
        key for key in keys if (match := KEY.fullmatch(key)) and match["environment"] == environment
    ]
    return max(ours, default=None)


def named_key(name: str, environment: str) -> str:
    """A backup named in full (``prod/orchestrator-….dump``, to restore another
    environment's) or by its name under this environment's prefix."""
    return name if "/" in name else f"{environment}/{name}"


@dataclass(frozen=True)
class Database:
    """A libpq URL without its password (so it may appear in a process list) and the
    password apart, handed to the tools in ``PGPASSWORD``."""

    url: str
    password: str | None
    name: str

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Split a DATABASE_URL-style URL (a SQLAlchemy driver suffix is dropped)."""
        from sqlalchemy.engine import URL, make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            raise BackupError("the database URL is not a URL") from None
        if not parsed.database:
            raise BackupError("the database URL names no database")
        # Built anew: ``URL.set(password=None)`` leaves the password where it was.
        plain = URL.create(
            "postgresql",
            username=parsed.username,
            host=parsed.host,
            port=parsed.port,
            database=parsed.database,
            query=parsed.query,
        )
        return cls(
            url=plain.render_as_string(hide_password=False),
            password=parsed.password if parsed.password is None else str(parsed.password),
            name=parsed.database,
        )

    def environ(self) -> dict[str, str]:
        """The tools' environment: ours, with the password when there is one."""
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env

    def redact(self, text: str) -> str:
        """``text`` with the password, should a tool ever echo it, hidden."""
        return text.replace(self.password, "***") if self.password else text


@dataclass(frozen=True)
class Done:
    """What a backup or restore did."""

    bucket: str
    key: str
    size: int
    sha256: str
    database: str


def pg_tool(name: str, env: Mapping[str, str]) -> str:
    """``pg_dump`` or ``pg_restore``: from ``ORCH_PG_BIN_DIR`` when set, else the newest of
    the one on PATH and the one the pgserver wheel ships (a tool older than the server
    refuses to dump it, and the embedded server is 16 where Debian's client may be 15)."""
    if bin_dir := env.get("ORCH_PG_BIN_DIR"):
        path = Path(bin_dir) / name
        if not path.is_file():
            raise BackupError(f"ORCH_PG_BIN_DIR has no {name}")
        return str(path)
    candidates = [found] if (found := shutil.which(name)) else []
    candidates += [str(path) for path in _bundled(name)]
    versions = [(_major(path), path) for path in candidates]
    usable = [(major, path) for major, path in versions if major > 0]
    if not usable:
        raise BackupError(f"{name} is not installed (install PostgreSQL's client tools)")
    return max(usable)[1]


def _bundled(name: str) -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return []
    return [
        path
        for location in spec.submodule_search_locations
        if (path := Path(location) / "pginstall" / "bin" / name).is_file()
    ]


def _major(path: str) -> int:
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(match[1]) if match and done.returncode == 0 else 0


def _run(tool: str, args: list[str], database: Database) -> None:
    name = Path(tool).name
    done = subprocess.run(
        [tool, *args], env=database.environ(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        told = next((line for line in lines if "error" in line), lines[0] if lines else "")
        told = told.removeprefix(f"{name}: ").removeprefix("error: ")
        raise BackupError(f"{name} failed: {database.redact(told) or f'status {done.returncode}'}")


def _client(config: BackupConfig) -> S3Client:
    import boto3
    from botocore.config import Config

    options = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        # Stores other than AWS (MinIO, Ceph, Garage) seldom serve bucket subdomains.
        s3={"addressing_style": "path"} if config.endpoint_url else None,
    )
    return boto3.client("s3", endpoint_url=config.endpoint_url, config=options)


@contextlib.contextmanager
def _bucket(config: BackupConfig, doing: str) -> Iterator[None]:
    """Storage failures as one line: what was being done and the store's own words (its
    error code and message carry no credential)."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    where = f"s3://{config.bucket}/{config.prefix}"
    try:
        yield
    except NoCredentialsError:
        raise BackupError(
            f"no credentials for {where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or another source boto3 reads)"
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "?"), error.get("Message", "")
        raise BackupError(f"{doing} {where}: {code}{f' ({message})' if message else ''}") from None
    except S3UploadFailedError as exc:
        # boto3 words it "Failed to upload <file> to <key>: An error occurred (<code>) when
        # calling <operation>: <message>"; the code and message are what tell.
        found = re.search(r"An error occurred \((\w+)\)[^:]*: (.+)", str(exc))
        told = f"{found[1]} ({found[2]})" if found else type(exc).__name__
        raise BackupError(f"{doing} {where}: {told}") from None
    except BotoCoreError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BackupError(f"{doing} {where}: {first}") from None


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def backup(database_url: str, env: Mapping[str, str], at: dt.datetime) -> Done:
    """Dump the database and upload the archive under the environment's prefix.

    The archive is written to a temporary file and uploaded only once ``pg_dump`` has
    succeeded: a dump that failed half-way never becomes the latest backup."""
    config = BackupConfig.from_env(env)
    source = Database.from_url(database_url)
    key = backup_key(config.environment, at)
    tool = pg_tool("pg_dump", env)
    with tempfile.TemporaryDirectory(prefix="orch-backup-") as scratch:
        archive = Path(scratch) / "database.dump"
        _run(
            tool,
            ["--format=custom", "--no-password", f"--file={archive}", f"--dbname={source.url}"],
            source,
        )
        digest, size = _digest(archive), archive.stat().st_size
        client = _client(config)
        with _bucket(config, "cannot upload to"):
            client.upload_file(
                str(archive), config.bucket, key, ExtraArgs=config.upload_args(digest, source.name)
            )
    return Done(config.bucket, key, size, digest, source.name)


EMPTY_CHECK = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
"""


def _refuse_non_empty(target: Database) -> None:
    import psycopg

    try:
        with psycopg.connect(target.url, password=target.password, connect_timeout=5) as conn:
            row = conn.execute(EMPTY_CHECK).fetchone()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(
            f"the target database {target.name} does not answer ({target.redact(first)})"
        ) from None
    if row is not None and row[0]:
        raise BackupError(
            f"the target database {target.name} is not empty ({row[0]} relations): "
            "restore only into a freshly created database"
        )


def _head(client: S3Client, bucket: str, key: str) -> Mapping[str, Any]:
    from botocore.exceptions import ClientError

    try:
        return client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            raise BackupError(f"no backup {key} in s3://{bucket}") from None
        raise


def restore(target_url: str, env: Mapping[str, str], name: str | None) -> Done:
    """Restore the backup ``name`` (default: the environment's latest) into the empty
    database at ``target_url``, in one transaction: it is all there or not at all."""
    config = BackupConfig.from_env(env)
    target = Database.from_url(target_url)
    tool = pg_tool("pg_restore", env)
    _refuse_non_empty(target)
    client = _client(config)
    if name:
        key = named_key(name, config.environment)
    else:
        with _bucket(config, "cannot list"):
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=config.bucket, Prefix=config.prefix
            )
            found = latest_key(
                (item["Key"] for page in pages for item in page.get("Contents", [])),
                config.environment,
            )
        if found is None:
            raise BackupError(f"no backup under s3://{config.bucket}/{config.prefix}")
        key = found
    with tempfile.TemporaryDirectory(prefix="orch-restore-") as scratch:
        archive = Path(scratch) / "database.dump"
        with _bucket(config, f"cannot read {key} from"):
            head = _head(client, config.bucket, key)
            client.download_file(config.bucket, key, str(archive))
        digest = _digest(archive)
        expected = head.get("Metadata", {}).get("sha256")
        if expected and expected != digest:
            raise BackupError(f"{key} does not match its recorded sha256: not restored")
        _run(
            tool,
            [
                "--no-password",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={target.url}",
                str(archive),
            ],
            target,
        )
        size = archive.stat().st_size
    return Done(config.bucket, key, size, digest, target.name)
