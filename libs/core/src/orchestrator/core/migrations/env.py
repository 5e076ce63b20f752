"""Alembic environment: runs migrations as the owner role over psycopg 3."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from orchestrator.core import models  # noqa: F401  (registers the platform's tables)
from orchestrator.core.callbacks import models as callback_models  # noqa: F401  (registers its tables)
from orchestrator.core.channels import models as channel_models  # noqa: F401  (registers its tables)
from orchestrator.core.configuration import models as configuration_models  # noqa: F401  (registers its tables)
from orchestrator.core.connectors import models as connector_models  # noqa: F401  (registers its tables)
from orchestrator.core.db.base import Base
from orchestrator.core.db.engine import sync_url
from orchestrator.core.identity import models as identity_models  # noqa: F401  (registers its tables)
from orchestrator.core.jobs import models as job_models  # noqa: F401  (registers its tables)
from orchestrator.core.migrations.runner import MIGRATION_LOCK_KEY
from orchestrator.core.schedules import models as schedule_models  # noqa: F401  (registers its tables)
from orchestrator.core.settings import DatabaseSettings
from orchestrator.core.versions import models as version_models  # noqa: F401  (registers its tables)
from orchestrator.core.webhooks import models as webhook_models  # noqa: F401  (registers its tables)
from orchestrator.core.workflows import models as workflow_models  # noqa: F401  (registers its tables)

LOCK_TIMEOUT = "5s"


def run_migrations_online() -> None:
    """Migrate one migrator at a time, with a lock timeout so a blocked DDL fails fast."""
    url = (
        context.config.get_main_option("sqlalchemy.url") or DatabaseSettings.from_env().owner_url()
    )
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        # Taken before lock_timeout is set: waiting for another migrator is expected.
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.execute(text(f"SET lock_timeout = '{LOCK_TIMEOUT}'"))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
