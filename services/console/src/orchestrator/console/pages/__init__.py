"""The console's pages, one module per area; ``PAGES`` lists every route handler."""

from __future__ import annotations

from orchestrator.console.pages.audit import audit_log
from orchestrator.console.pages.bindings import BINDING_PAGES
from orchestrator.console.pages.channel import CHANNEL_PAGES
from orchestrator.console.pages.configuration import CONFIGURATION_PAGES
from orchestrator.console.pages.drafts import DRAFT_PAGES
from orchestrator.console.pages.events import EVENT_PAGES
from orchestrator.console.pages.first_run import FIRST_RUN_PAGES
from orchestrator.console.pages.guest import GUEST_PAGES
from orchestrator.console.pages.guests import GUEST_ADMIN_PAGES
from orchestrator.console.pages.home import home, switch_workspace
from orchestrator.console.pages.identity import IDENTITY_PAGES
from orchestrator.console.pages.impersonation import IMPERSONATION_PAGES
from orchestrator.console.pages.inbox import INBOX_PAGES
from orchestrator.console.pages.jobs import JOB_PAGES
from orchestrator.console.pages.overview import overview
from orchestrator.console.pages.quotas import QUOTA_PAGES
from orchestrator.console.pages.run import RUN_PAGES
from orchestrator.console.pages.versions import VERSION_PAGES
from orchestrator.console.pages.workflows import WORKFLOW_PAGES

PAGES = [
    home,
    switch_workspace,
    overview,
    audit_log,
    *CONFIGURATION_PAGES,
    *VERSION_PAGES,
    *DRAFT_PAGES,
    *QUOTA_PAGES,
    *BINDING_PAGES,
    *JOB_PAGES,
    *INBOX_PAGES,
    *WORKFLOW_PAGES,
    *EVENT_PAGES,
    *CHANNEL_PAGES,
    *GUEST_ADMIN_PAGES,
    *GUEST_PAGES,
    *IDENTITY_PAGES,
    *IMPERSONATION_PAGES,
    *RUN_PAGES,
    *FIRST_RUN_PAGES,
]
