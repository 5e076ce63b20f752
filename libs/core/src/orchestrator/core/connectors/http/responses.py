"""Reading an ``http`` upstream's response body: JSON when it says so, else text.

The executor's outcome classification stores what this returns as the call's output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec


def parse_response_body(headers: Mapping[str, str], body: bytes) -> Any:
    """The upstream's body: JSON when its content type says so, else text; None when empty."""
    if not body:
        return None
    content_type = (headers.get("Content-Type") or headers.get("content-type") or "").lower()
    media_type = content_type.split(";", 1)[0].strip()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError:
            pass
    charset = "utf-8"
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";", 1)[0].strip().strip('"')
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")
