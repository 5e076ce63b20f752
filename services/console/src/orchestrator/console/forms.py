"""JSON Schemas for the console's generated forms, cut from what the control-api publishes:
a component of its OpenAPI document made self-contained, with members replaced by richer
schemas where the API publishes them elsewhere (a connector type's config, the policy spec).
Pure functions: the page modules fetch, these shape."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

COMPONENTS = "#/components/schemas/"
DEFS = "#/$defs/"

Schema = dict[str, Any]
NULL = {"type": "null"}


def _walk_refs(node: Any, rename: Mapping[str, str] | None, found: set[str]) -> Any:
    """A copy of ``node`` with refs renamed by ``rename`` (old ref → new ref), noting in
    ``found`` every component it names."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if value.startswith(COMPONENTS):
                    found.add(value.removeprefix(COMPONENTS))
                    value = DEFS + value.removeprefix(COMPONENTS)
                elif rename is not None:
                    value = rename.get(value, value)
                out[key] = value
            else:
                out[key] = _walk_refs(value, rename, found)
        return out
    if isinstance(node, list):
        return [_walk_refs(item, rename, found) for item in node]
    return node


def component(document: Mapping[str, Any], name: str) -> Schema:
    """OpenAPI component ``name`` as a standalone JSON Schema: every component it reaches
    copied under ``$defs``, refs pointing there."""
    schemas: Mapping[str, Any] = document["components"]["schemas"]
    found: set[str] = set()
    root: Schema = _walk_refs(schemas[name], None, found)
    defs: dict[str, Any] = {}
    pending = found - {name}
    while pending:
        current = pending.pop()
        reached: set[str] = set()
        defs[current] = _walk_refs(schemas[current], None, reached)
        pending |= reached - defs.keys() - {name}
    if defs:
        root["$defs"] = {**root.get("$defs", {}), **defs}
    return root


def with_member(schema: Schema, member: str, replacement: Schema, prefix: str) -> Schema:
    """``schema`` with property ``member`` replaced by ``replacement`` (its own ``$defs``
    moved to the root, renamed with ``prefix`` so they cannot clash)."""
    result = copy.deepcopy(schema)
    inner = copy.deepcopy(replacement)
    inner_defs: dict[str, Any] = inner.pop("$defs", {})
    rename = {DEFS + old: DEFS + prefix + old for old in inner_defs}
    unused: set[str] = set()
    moved = {prefix + old: _walk_refs(body, rename, unused) for old, body in inner_defs.items()}
    description = result["properties"].get(member, {}).get("description")
    replaced = _walk_refs(inner, rename, unused)
    replaced["title"] = member
    if description and "description" not in replaced:
        replaced["description"] = description
    result["properties"][member] = replaced
    if moved:
        result["$defs"] = {**result.get("$defs", {}), **moved}
    return result


def without(schema: Schema, *members: str) -> Schema:
    """``schema`` without properties ``members`` (a form does not ask for them)."""
    result = copy.deepcopy(schema)
    for member in members:
        result.get("properties", {}).pop(member, None)
        if "required" in result:
            result["required"] = [name for name in result["required"] if name != member]
    return result


def admits_null(member: Schema) -> bool:
    """Whether a property's schema accepts null (``anyOf``/``oneOf`` with a null choice)."""
    return any(NULL in member.get(choice, []) for choice in ("anyOf", "oneOf"))


def editable(resource: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """The members of ``resource`` the form edits: those ``schema`` has. json-editor shows
    only the members its start value holds, so the nullable ones the resource leaves out
    are held as null, to stay on the form."""
    properties: dict[str, Any] = schema.get("properties", {})
    kept = {key: value for key, value in resource.items() if key in properties}
    missing = {key: None for key, member in properties.items() if admits_null(member)}
    return {**{k: v for k, v in missing.items() if k not in kept}, **kept}


def titled(schema: Schema, title: str, *first: str) -> Schema:
    """``schema`` headed ``title``, properties ``first`` shown before the others."""
    result = copy.deepcopy(schema)
    result["title"] = title
    for position, member in enumerate(first, start=1):
        if member in result.get("properties", {}):
            result["properties"][member]["propertyOrder"] = position
    return result


def nullable_first(schema: Schema) -> Schema:
    """``schema`` with every ``anyOf``/``oneOf`` that admits null offering null first: a form then
    starts an unset member as null (unset) rather than as the first type's zero, which a
    minimum would refuse (a quota's ``rps: 0``)."""
    result: Schema = _null_first(schema)
    return result


def _null_first(node: Any) -> Any:
    if isinstance(node, list):
        return [_null_first(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _null_first(value) for key, value in node.items()}
    for choice in ("anyOf", "oneOf"):
        options = out.get(choice)
        if isinstance(options, list) and NULL in options:
            out[choice] = [NULL, *(o for o in options if o != NULL)]
    return out
