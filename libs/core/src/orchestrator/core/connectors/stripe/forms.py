"""Stripe's request encoding: nested parameters as ``application/x-www-form-urlencoded``.

Stripe's v1 API takes no JSON: ``{"metadata": {"order": "42"}}`` is sent as
``metadata[order]=42`` and a list as indexed members, ``items[0][price]=price_1``, as
Stripe's own libraries send them. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from orchestrator.core.connectors.templates import scalar_text


def _pairs(name: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _pairs(f"{name}[{key}]", item)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _pairs(f"{name}[{index}]", item)
    elif value is None:
        yield name, ""  # Stripe's way to unset a field
    else:
        text = scalar_text(value)
        if text is None:  # not JSON: a payload never holds one
            raise TypeError(f"{name} holds a {type(value).__name__}, not a JSON value")
        yield name, text


def form_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``params`` flattened into Stripe's bracketed names, in order."""
    return [pair for name, value in params.items() for pair in _pairs(name, value)]


def encode_form(params: Mapping[str, Any]) -> str:
    """``params`` as a form body or query string (``a[b]=c&d[0]=e``, brackets escaped)."""
    return urlencode(form_pairs(params))
