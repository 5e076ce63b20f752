"""Shared core of the orchestrator: models, migrations, settings, auth and observability."""
