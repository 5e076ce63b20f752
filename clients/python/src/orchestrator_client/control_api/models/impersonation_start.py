from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.impersonation_start_scopes_type_0_item import (
    ImpersonationStartScopesType0Item,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ImpersonationStart")


@_attrs_define
class ImpersonationStart:
    """
    Attributes:
        workspace_id (UUID):
        scopes (list[ImpersonationStartScopesType0Item] | None | Unset):
        ttl_s (int | Unset):  Default: 900.
    """

    workspace_id: UUID
    scopes: list[ImpersonationStartScopesType0Item] | None | Unset = UNSET
    ttl_s: int | Unset = 900

    def to_dict(self) -> dict[str, Any]:
        workspace_id = str(self.workspace_id)

        scopes: list[str] | None | Unset
        if isinstance(self.scopes, Unset):
            scopes = UNSET
        elif isinstance(self.scopes, list):
            scopes = []
            for scopes_type_0_item_data in self.scopes:
                scopes_type_0_item = scopes_type_0_item_data.value
                scopes.append(scopes_type_0_item)

        else:
            scopes = self.scopes

        ttl_s = self.ttl_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "workspace_id": workspace_id,
            }
        )
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if ttl_s is not UNSET:
            field_dict["ttl_s"] = ttl_s

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        workspace_id = UUID(d.pop("workspace_id"))

        def _parse_scopes(
            data: object,
        ) -> list[ImpersonationStartScopesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                scopes_type_0 = []
                _scopes_type_0 = data
                for scopes_type_0_item_data in _scopes_type_0:
                    scopes_type_0_item = ImpersonationStartScopesType0Item(
                        scopes_type_0_item_data
                    )

                    scopes_type_0.append(scopes_type_0_item)

                return scopes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ImpersonationStartScopesType0Item] | None | Unset, data)

        scopes = _parse_scopes(d.pop("scopes", UNSET))

        ttl_s = d.pop("ttl_s", UNSET)

        impersonation_start = cls(
            workspace_id=workspace_id,
            scopes=scopes,
            ttl_s=ttl_s,
        )

        return impersonation_start
