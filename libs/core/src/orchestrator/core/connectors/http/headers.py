"""What an ``http`` connector's header names and values may hold.

Shared by the config checks (configured headers, an API key's header) and by
rendering (a payload value or a secret that fills a header), so that both refuse
the same things with the same words.
"""

from __future__ import annotations

import re

from orchestrator.core.upstream.client import HEADER_VALUE_UNSENDABLE

# Set by the client from the body or the connection; a template must not forge them.
RESERVED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer"}
)
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
"""A valid header name (an RFC 9110 token)."""
unsendable = HEADER_VALUE_UNSENDABLE.search
"""A match when a header value holds a character the client will not send."""
HEADER_RULE = (
    "must hold only visible ASCII, spaces and tabs "
    "(no CR, LF, NUL or other control characters, no non-ASCII characters)"
)
