"""Programmatic Alembic: upgrade, downgrade and check without an ini file."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

# Every replica may run `orchestrator migrate` at start-up; one session-level advisory
# lock (taken in env.py) makes them take turns, and the later ones find nothing to do.
MIGRATION_LOCK_KEY = 0x6F7263685F6D6967  # "orch_mig"


def alembic_config(owner_url: str) -> Config:
    """An Alembic config for the packaged migrations against ``owner_url``."""
    config = Config()
    config.set_main_option("script_location", "orchestrator.core:migrations")
    config.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    return config


def upgrade(owner_url: str, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(owner_url), revision)


def downgrade(owner_url: str, revision: str = "base") -> None:
    """Migrate the database down to ``revision``."""
    command.downgrade(alembic_config(owner_url), revision)


def check(owner_url: str) -> None:
    """Fail if the models and the migrations disagree."""
    command.check(alembic_config(owner_url))
