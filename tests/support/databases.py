"""Migrated databases for tests, copied from one template migrated once a session.

Running every migration for each database a test needs costs seconds each time; the
session migrates one template (never connected to afterwards) and each database is a
``CREATE DATABASE ... TEMPLATE`` copy of it: the same tables, grants, policies and
``alembic_version``, as a fresh ``runner.upgrade`` would leave them. The roles those
grants name are cluster-wide, so they need no copying. Migrating from scratch is what
``tests/integration/test_migrations.py`` tests, on a database of its own.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from orchestrator.core.migrations import runner


def libpq(url: str) -> str:
    """A URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(admin_url: str, prefix: str, template: str | None = None) -> str:
    """A new database named ``<prefix>_<random>`` (a copy of ``template`` if given); its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    with psycopg.connect(libpq(admin_url), autocommit=True) as conn:
        conn.execute(statement)
        # A test database need not survive a PostgreSQL crash, so its commits do not wait
        # for the disk (what commits make visible, and when, is unchanged). On a slow disk
        # each commit's flush would cost the suite milliseconds, thousands of times.
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name))
        )
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop the database of ``url`` (whoever is still connected to it)."""
    name = make_url(url).database
    assert name is not None
    with psycopg.connect(libpq(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def migrated_template(admin_url: str) -> str:
    """A database migrated to head, to copy from; its URL."""
    url = create_database(admin_url, "orch_template")
    runner.upgrade(url)
    return url


def copy_of(admin_url: str, template_url: str, prefix: str) -> str:
    """A fresh copy of the migrated template; its URL (``drop_database`` it afterwards)."""
    return create_database(admin_url, prefix, template=make_url(template_url).database)
