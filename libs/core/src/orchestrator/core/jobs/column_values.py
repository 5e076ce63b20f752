"""Values shaped for the jobs tables' columns, shared by every statement that writes them.

Error texts come from upstreams and may be of any length, so each is cut to what the
column holds; JSON values travel as text to a ``CAST(… AS jsonb)`` parameter, which is
how the batched statements pass them as arrays.
"""

from __future__ import annotations

from typing import Any

import msgspec

MAX_ERROR = 2000


def clip(error: str | None) -> str | None:
    """An error message cut to what the column holds."""
    return None if error is None else error[:MAX_ERROR]


def json_text(value: Any) -> str | None:
    """``value`` as JSON text for a ``CAST(… AS jsonb)`` parameter; None stays SQL NULL."""
    return None if value is None else msgspec.json.encode(value).decode()
