"""Field types shared by the configuration areas' schemas."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter

from orchestrator.core.configuration.validation import NAME_MAX, NAME_PATTERN

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN)]
"""A policy, connector, secret ref or config name."""

NameInPath = Annotated[
    str,
    Parameter(
        min_length=1,
        max_length=NAME_MAX,
        pattern=NAME_PATTERN,
        description="The resource's name: a-z, 0-9, '-' and '_'.",
    ),
]
