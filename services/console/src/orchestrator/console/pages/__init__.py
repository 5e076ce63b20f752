"""The console's pages, one module per area; ``PAGES`` lists every route handler."""

from __future__ import annotations

from orchestrator.console.pages.audit import audit_log
from orchestrator.console.pages.home import home, switch_workspace
from orchestrator.console.pages.overview import overview

PAGES = [home, switch_workspace, overview, audit_log]
