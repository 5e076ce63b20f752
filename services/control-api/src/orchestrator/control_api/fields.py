"""Field types shared by the configuration areas' schemas."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter, QueryParameter

from orchestrator.core.configuration.validation import NAME_MAX, NAME_PATTERN, Name

__all__ = ["VERSION_MAX", "ExpectedActive", "Name", "NameInPath"]

NameInPath = Annotated[
    str,
    Parameter(
        min_length=1,
        max_length=NAME_MAX,
        pattern=NAME_PATTERN,
        description="The resource's name: a-z, 0-9, '-' and '_'.",
    ),
]

VERSION_MAX = 2_147_483_647
"""The largest version number (a PostgreSQL integer)."""

VersionInPath = Annotated[int, Parameter(ge=1, le=VERSION_MAX, description="A version's number.")]
"""A version's number in a path: past a PostgreSQL integer is a 400, not a query."""

ExpectedActive = Annotated[
    int | None,
    QueryParameter(
        name="expected_active_version",
        required=False,
        ge=1,
        le=VERSION_MAX,
        description="Compare-and-set: refuse (409) unless this version is active.",
    ),
]
"""The version a pointer move expects to be active (a config's, or the workspace's)."""

VersionToRead = Annotated[
    int | None,
    QueryParameter(
        name="version",
        required=False,
        ge=1,
        le=VERSION_MAX,
        description="A version to read (default: the active one).",
    ),
]
"""Which version of a config, or of the workspace's configuration, a read shows."""
