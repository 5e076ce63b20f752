"""Pages are rendered on the server from Jinja templates, every value escaped."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template

from orchestrator.console.context import Console

TEMPLATES = Path(__file__).parent / "templates"

NAVIGATION = (
    ("overview", "Overview", ""),
    ("first-run", "Guided first run", "configuration:write"),
    ("configuration", "Configuration", ""),
    ("run", "Run an operation", "impersonation:start"),
    ("jobs", "Jobs & DLQ", ""),
    ("inbox", "Webhook inbox", ""),
    ("workflows", "Workflow runs", ""),
    ("events", "Live events", ""),
    ("audit", "Audit log", "audit:read"),
    ("identity", "Identity", ""),
    ("impersonation", "Impersonation", "impersonation:start"),
)
"""Each section: its URL key, its label, and the right it needs to be offered ("" for none)."""


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


async def page(
    console: Console,
    name: str,
    *,
    workspace: str | None = None,
    section: str = "",
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A full page of the console: layout, navigation, notices and the CSRF token."""
    session = console.session
    return Template(
        template_name=name,
        status_code=status_code,
        context={
            "session": session,
            "csrf": session.csrf,
            "workspace": workspace or session.workspace_id,
            "section": section,
            "navigation": NAVIGATION,
            "flashes": await console.flashes(),
            "check_every_ms": int(console.settings.console.session_check_s * 1000),
            **context,
        },
    )


async def list_page(
    console: Console,
    name: str,
    path: str,
    *,
    workspace: uuid.UUID,
    section: str,
    rows: str,
    filters: Mapping[str, str],
    cursor: str,
    page_filters: Mapping[str, str] | None = None,
    show: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    **context: Any,
) -> Template:
    """A list page: a page of the control-api's list ``path`` matching ``filters`` after
    ``cursor``, its items (each ``show``n) as ``rows``, and the form's ``page_filters``
    (default: ``filters``), those set carried by the link to the next page."""
    found = await console.control(
        "GET",
        path,
        workspace=workspace,
        params={**filters, "cursor": cursor, "limit": console.settings.console.page_size},
    )
    items = found["items"] if show is None else [show(item) for item in found["items"]]
    shown = filters if page_filters is None else page_filters
    listed: dict[str, Any] = {rows: items, **context}
    return await page(
        console,
        name,
        workspace=str(workspace),
        section=section,
        next_cursor=found["next_cursor"],
        filters=shown,
        query={key: value for key, value in shown.items() if value},
        **listed,
    )
