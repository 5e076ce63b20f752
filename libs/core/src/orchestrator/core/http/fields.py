"""Constraints shared by request schemas."""

from __future__ import annotations

NO_NUL = r"^[^\x00]*$"
"""Pattern of free text stored in PostgreSQL, whose text cannot hold U+0000: refused
as a 400 at the edge rather than a 500 from the database."""
