"""Backups' keys, the choice of the latest, the settings and the database URL's split
(``orchestrator.cli.backup``); the commands themselves are in the restore drill
(tests/integration/test_restore_drill.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from orchestrator.cli.backup import (
    BackupConfig,
    BackupError,
    Database,
    backup_key,
    latest_key,
    named_key,
)

AT = dt.datetime(2026, 12, 7, 3, 4, 5, 678_901, tzinfo=dt.UTC)


def test_a_key_is_the_environments_prefix_and_the_utc_time_to_the_millisecond() -> None:
    assert backup_key("prod", AT) == "prod/orchestrator-20261207T030405.678Z.dump"
    paris = AT.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert backup_key("prod", paris) == backup_key("prod", AT)
    with pytest.raises(ValueError, match="aware"):
        backup_key("dev", AT.replace(tzinfo=None))


def test_the_latest_is_the_newest_key_of_the_environment_whatever_the_listing_order() -> None:
    times = [AT + dt.timedelta(days=n, milliseconds=n) for n in (3, 10, 0, 9)]
    keys = [backup_key("dev", at) for at in times]
    newest_prod = backup_key("prod", AT + dt.timedelta(days=30))
    others = [newest_prod, "dev/notes.txt", "dev/orchestrator-latest.dump", "dev/sub/x.dump"]
    assert latest_key([*others, *keys], "dev") == backup_key("dev", max(times))
    assert latest_key([*others, *keys], "prod") == newest_prod
    assert latest_key(others[1:], "dev") is None
    assert latest_key([], "prod") is None


def test_a_sortable_key_stays_sortable_across_years_and_milliseconds() -> None:
    earlier = backup_key("dev", dt.datetime(2026, 12, 31, 23, 59, 59, 999_000, tzinfo=dt.UTC))
    later = backup_key("dev", dt.datetime(2027, 1, 1, 0, 0, 0, 1_000, tzinfo=dt.UTC))
    assert latest_key([later, earlier], "dev") == later


def test_a_name_is_under_the_environment_unless_given_in_full() -> None:
    assert named_key("orchestrator-x.dump", "dev") == "dev/orchestrator-x.dump"
    assert named_key("prod/orchestrator-x.dump", "dev") == "prod/orchestrator-x.dump"


def test_settings_name_what_is_missing_or_wrong() -> None:
    base = {"ORCH_BACKUP_BUCKET": "b"}
    assert BackupConfig.from_env(base) == BackupConfig(bucket="b", environment="dev")
    config = BackupConfig.from_env(
        base
        | {
            "ORCH_ENVIRONMENT": "prod",
            "ORCH_BACKUP_ENDPOINT_URL": "http://127.0.0.1:9000",
            "ORCH_BACKUP_SSE": "aws:kms",
            "ORCH_BACKUP_KMS_KEY_ID": "alias/backups",
        }
    )
    assert config.prefix == "prod/"
    assert config.upload_args("ab", "orch") == {
        "Metadata": {"sha256": "ab", "database": "orch"},
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "alias/backups",
    }
    assert "ServerSideEncryption" not in BackupConfig.from_env(base).upload_args("ab", "orch")
    for env, told in (
        ({}, "ORCH_BACKUP_BUCKET"),
        (base | {"ORCH_ENVIRONMENT": "staging"}, "ORCH_ENVIRONMENT"),
        (base | {"ORCH_BACKUP_SSE": "rot13"}, "ORCH_BACKUP_SSE"),
        (base | {"ORCH_BACKUP_KMS_KEY_ID": "k"}, "aws:kms"),
    ):
        with pytest.raises(BackupError, match=told):
            BackupConfig.from_env(env)


def test_the_password_leaves_the_url_for_the_tools_environment() -> None:
    database = Database.from_url("postgresql+psycopg://owner:s3cr%40t@db.internal:5432/orch")
    assert database.url == "postgresql://owner@db.internal:5432/orch"
    assert database.password == "s3cr@t"
    assert database.environ()["PGPASSWORD"] == "s3cr@t"
    assert database.redact("auth failed for s3cr@t") == "auth failed for ***"
    assert Database.from_url("postgresql://owner@db/orch").password is None
    with pytest.raises(BackupError, match="no database"):
        Database.from_url("postgresql://owner@db")


def test_help_does_not_load_the_s3_client() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "orchestrator.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\n  backup " in done.stdout
    assert "\n  restore " in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert not {name for name in imported if name.split(".")[0] in ("boto3", "botocore")}
