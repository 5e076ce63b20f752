"""Pages are rendered on the server from Jinja templates, every value escaped."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from orchestrator.console.context import Console

TEMPLATES = Path(__file__).parent / "templates"


class Section(NamedTuple):
    """A section of the side navigation: its URL key, its label, and the right it needs to
    be offered (none: every operator)."""

    key: str
    label: str
    right: str = ""


NAVIGATION = (
    Section("overview", "Overview"),
    Section("first-run", "Guided first run", right="configuration:write"),
    Section("configuration", "Configuration"),
    Section("versions", "Versions"),
    Section("drafts", "Drafts"),
    Section("run", "Run an operation", right="impersonation:start"),
    Section("jobs", "Jobs & DLQ"),
    Section("inbox", "Webhook inbox"),
    Section("workflows", "Workflow runs"),
    Section("events", "Live events"),
    Section("guests", "Channel guests"),
    Section("audit", "Audit log", right="audit:read"),
    Section("identity", "Identity"),
    Section("impersonation", "Impersonation", right="impersonation:start"),
)


def _pretty(value: Any) -> str:
    """JSON for reading, indented (still escaped by the template)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def _when(value: str | None) -> str:
    """An RFC 3339 instant as a short UTC time."""
    if not value:
        return ""
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _clock(epoch_s: float) -> str:
    """A Unix time as an hour and minute in UTC (when an impersonation ends)."""
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).strftime("%H:%M UTC")


def environment() -> jinja2.Environment:
    """Autoescaping everywhere: tenant-controlled text can never become markup."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty"] = _pretty
    env.filters["when"] = _when
    env.filters["clock"] = _clock
    return env


def template_engine() -> JinjaTemplateEngine:
    """The engine Litestar renders ``Template`` responses with."""
    return JinjaTemplateEngine.from_environment(environment())


def section_of(path: str) -> str:
    """The section of the navigation a URL is in: its key follows the workspace in every
    page's URL (``/w/{workspace}/{section}/…``); none for any other URL."""
    parts = path.split("/")
    return parts[3] if len(parts) > 3 and parts[1] == "w" else ""


async def page(console: Console, name: str, *, status_code: int = 200, **context: Any) -> Template:
    """A full page of the console: layout, navigation, notices and the CSRF token; shown in
    the workspace and the section its URL names."""
    session = console.session
    request = console.request
    workspace = request.path_params.get("workspace")
    return Template(
        template_name=name,
        status_code=status_code,
        context={
            "session": session,
            "csrf": session.csrf,
            "workspace": session.workspace_id if workspace is None else str(workspace),
            "section": section_of(request.url.path),
            "navigation": NAVIGATION,
            "flashes": await console.flashes(),
            "check_every_ms": int(console.settings.console.session_check_s * 1000),
            **context,
        },
    )
