"""JSON Schema (2020-12) validation of payloads and configs, compiled once per schema.

``jsonschema-rs`` (Rust) does both jobs the hot path needs: a yes/no check in
well under a microsecond for a typical payload, and, only when that says no,
every failing field with its JSON pointer. Validators are compiled offline
(a ``$ref`` to a remote document is refused, never fetched: no SSRF through
schemas) and cached twice: by the schema object's identity, so a caller
holding the same dict pays one lookup, and by the schema's canonical JSON, so
equal schemas share one compiled validator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec

from orchestrator.core.errors import ValidationFailed

if TYPE_CHECKING:  # loaded with the first schema compiled: an idle service never holds it
    import jsonschema_rs

MAX_ERRORS = 50
MAX_MESSAGE = 300
_IDENTITY_CACHE_SIZE = 4096

# id(schema) -> (schema, validator); holding the schema keeps its id from being reused.
_by_identity: dict[int, tuple[object, jsonschema_rs.Validator]] = {}
_identity_lock = threading.Lock()


def escape_pointer_token(token: str | int) -> str:
    """One JSON-pointer reference token (RFC 6901: ``~`` → ``~0``, ``/`` → ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(prefix: str, path: Iterable[str | int]) -> str:
    """The JSON pointer of ``path`` under ``prefix`` (itself a pointer, may be empty)."""
    return prefix + "".join("/" + escape_pointer_token(token) for token in path)


@lru_cache(maxsize=1024)
def _compile_canonical(canonical: bytes) -> jsonschema_rs.Validator:
    import jsonschema_rs  # only on a cache miss

    schema = msgspec.json.decode(canonical)
    return jsonschema_rs.Draft202012Validator(schema, offline=True, validate_formats=True)


def compile_schema(schema: Mapping[str, Any] | bool) -> jsonschema_rs.Validator:
    """The compiled validator of ``schema`` (cached; do not mutate a schema once used).

    Raises ``ValueError`` when ``schema`` is not a valid JSON Schema.
    """
    key = id(schema)
    hit = _by_identity.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    canonical = msgspec.json.encode(schema, order="sorted")
    validator = _compile_canonical(canonical)
    with _identity_lock:
        if len(_by_identity) >= _IDENTITY_CACHE_SIZE:
            _by_identity.clear()
        _by_identity[key] = (schema, validator)
    return validator


def compile_cache_info() -> Any:
    """Hits and misses of the compiled-validator cache (``functools`` cache info)."""
    return _compile_canonical.cache_info()


def _field_errors(error: Any, prefix: str) -> list[dict[str, str]]:
    """One or more ``{key, message}`` entries for a ``jsonschema_rs.ValidationError``."""
    message = str(error.message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    at = list(error.instance_path)
    kind = error.kind.name
    details = error.kind.as_dict()
    # Point at the member concerned rather than at the object that lacks or has it.
    if kind == "required" and "property" in details:
        return [{"key": pointer(prefix, [*at, details["property"]]), "message": message}]
    if kind == "additionalProperties" and details.get("unexpected"):
        return [
            {"key": pointer(prefix, [*at, name]), "message": "is not allowed here"}
            for name in details["unexpected"]
        ]
    return [{"key": pointer(prefix, at), "message": message}]


def instance_errors(
    schema: Mapping[str, Any] | bool, instance: Any, *, prefix: str = ""
) -> list[dict[str, str]]:
    """Every way ``instance`` fails ``schema``, as ``{key: JSON pointer, message}`` (empty: valid)."""
    validator = compile_schema(schema)
    if validator.is_valid(instance):
        return []
    errors: list[dict[str, str]] = []
    for error in validator.iter_errors(instance):
        errors.extend(_field_errors(error, prefix))
        if len(errors) >= MAX_ERRORS:
            break
    return errors


def validate_payload(
    schema: Mapping[str, Any] | bool, payload: Any, *, prefix: str = "/payload"
) -> None:
    """Raise ``ValidationFailed`` (422) listing every failing field unless ``payload`` is valid.

    Error keys are JSON pointers under ``prefix`` (``/payload`` by default, as in the
    body of ``POST /execute``).
    """
    if compile_schema(schema).is_valid(payload):
        return
    raise ValidationFailed(
        "The payload does not match the operation's payload schema.",
        errors=instance_errors(schema, payload, prefix=prefix),
    )


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a usable JSON Schema (2020-12), or None when it is."""
    if not isinstance(schema, dict | bool):
        return "must be a JSON Schema (an object or a boolean)"
    import jsonschema_rs

    try:
        compile_schema(schema)
    except (ValueError, jsonschema_rs.ValidationError) as exc:
        first = str(exc).split("\n", 1)[0]
        return f"is not a valid JSON Schema: {first[:MAX_MESSAGE]}"
    return None
