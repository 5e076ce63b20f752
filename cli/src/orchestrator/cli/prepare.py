"""``python -m orchestrator.cli.prepare DATA_DIR``: what ``orchestrator run`` does before it
serves, in a process of its own that exits once done: migrate, bootstrap the demo
workspace, seed it and write its credentials (``.data/demo.env``).

A child, so the launcher, which then supervises the stack for as long as it runs, never
holds the database, bundle and HTTP modules these steps import (ADR 0092). Its environment
is the stack's."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from orchestrator.cli import commands, demo
from orchestrator.cli.devstack import DEMO_ORG, DEMO_WORKSPACE
from orchestrator.cli.stack import service_urls
from orchestrator.core.settings import CoreSettings


def prepare(data_dir: Path) -> Path:
    """Migrate, seed the demo workspace and write its credentials; their path."""
    env = dict(os.environ)
    settings = CoreSettings.from_env(env)
    asyncio.run(commands.migrate(settings))
    creds = asyncio.run(
        commands.bootstrap_workspace(settings, organization=DEMO_ORG, workspace=DEMO_WORKSPACE)
    )
    urls = service_urls(env)
    source_path = asyncio.run(
        demo.seed(settings, creds.tenant_id, urls["control-api"], urls["demo-upstream"])
    )
    return demo.write_credentials(data_dir, creds, urls, source_path)


if __name__ == "__main__":
    prepare(Path(sys.argv[1]))
