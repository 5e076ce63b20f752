"""The console's list pages (audit, jobs, inbox, workflow runs): each is a ``Listing``, a page
of one of the control-api's lists, filtered by the page's form and paged by cursor."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar.exceptions import ValidationException
from litestar.params import Parameter
from litestar.response import Template

from orchestrator.console.context import Console
from orchestrator.console.render import page

Row = dict[str, Any]
Cursor = Annotated[str, Parameter(max_length=400)]
"""The ``cursor`` query parameter of a paged page that is no ``Listing``: bounded as the
control-api bounds the cursors of its lists (``core.db.pages.CURSOR_MAX_LENGTH``)."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One list page: where its rows come from, and the filters its form offers."""

    template: str
    """The page's template: it reads the page's ``rows``, its ``filters`` and ``next_href``."""
    api: str
    """The control-api's list (``GET``, cursor-paged)."""
    filters: Mapping[str, str]
    """Each filter (a query parameter of the page) and its value when the query has none."""
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Filters the API knows by another name: the page's name → the API's."""
    max_length: int = 500
    """The longest value a filter or the cursor may have."""
    show: Callable[[Row], Row] | None = None
    """What a row becomes before the template sees it."""

    def chosen(self, query: Mapping[str, str]) -> tuple[dict[str, str], str]:
        """The page's filters and cursor as ``query`` sets them (400 when one is too long)."""
        values = {name: query.get(name, default) for name, default in self.filters.items()}
        cursor = query.get("cursor", "")
        for name, value in {**values, "cursor": cursor}.items():
            if len(value) > self.max_length:
                raise ValidationException(
                    detail=f"{name} is longer than {self.max_length} characters"
                )
        return values, cursor

    def api_filters(self, chosen: Mapping[str, str]) -> dict[str, str]:
        """The chosen filters under the API's names."""
        return {self.renamed.get(name, name): value for name, value in chosen.items()}


async def list_page(
    console: Console,
    listing: Listing,
    query: Mapping[str, str],
    workspace: uuid.UUID,
    **context: Any,
) -> Template:
    """A page of ``listing``'s rows matching the filters in ``query``, after its cursor; the
    link to the next page carries the filters that are set."""
    filters, cursor = listing.chosen(query)
    found = await console.control(
        "GET",
        listing.api,
        workspace=workspace,
        params={
            **listing.api_filters(filters),
            "cursor": cursor,
            "limit": console.settings.console.page_size,
        },
    )
    show = listing.show
    rows = found["items"] if show is None else [show(item) for item in found["items"]]
    next_cursor = found["next_cursor"]
    kept = urlencode({name: value for name, value in filters.items() if value})
    return await page(
        console,
        listing.template,
        rows=rows,
        filters=filters,
        next_href=next_cursor and f"?{kept}&cursor={quote(next_cursor)}",
        **context,
    )
