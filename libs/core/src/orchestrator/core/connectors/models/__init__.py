"""The connectors domain's table; importing this package registers them."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.connectors.models.connector import Connector

__all__ = ["Connector"]
