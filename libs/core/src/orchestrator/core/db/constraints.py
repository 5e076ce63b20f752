"""Table constraints that recur across models, named as migrations name them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, text


def same_tenant_fk(
    table: str, column: str, referred: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """``(tenant_id, column)`` referring to ``referred``'s ``(tenant_id, id)``: a row of
    ``table`` names only a row of its own tenant. Named as the naming convention names a
    plain foreign key of ``column`` (whose first column would otherwise be ``tenant_id``)."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{referred}.tenant_id", f"{referred}.id"],
        name=f"fk_{table}_{column}_{referred}",
        ondelete=ondelete,
    )


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """``column`` holds one of ``values`` (a check named after the column)."""
    return CheckConstraint(
        f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")", name=column
    )


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of ``columns`` over the rows ``where`` holds (SQL), unique among them when
    asked: a PostgreSQL partial index."""
    return Index(name, *columns, unique=unique, postgresql_where=text(where))


def stored_payload(ref: str, *, empty: str) -> list[CheckConstraint]:
    """A payload whose value may live in the payload store instead of its column
    (ADR 0089): ``<ref>``, ``<ref>_sha256`` and ``<ref>_size`` are set together, and a row
    holding a ref holds nothing inline (``empty``, SQL, says what nothing is)."""
    return [
        CheckConstraint(
            f"({ref} IS NULL) = ({ref}_sha256 IS NULL) AND ({ref} IS NULL) = ({ref}_size IS NULL)",
            name=f"{ref}_complete",
        ),
        CheckConstraint(f"{ref} IS NULL OR {empty}", name=f"{ref}_not_inline"),
    ]
