from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bundle_tenant_quotas_type_0 import BundleTenantQuotasType0


T = TypeVar("T", bound="BundleTenant")


@_attrs_define
class BundleTenant:
    """
    Attributes:
        environment (None | str | Unset):
        id (None | Unset | UUID):
        name (None | str | Unset):
        quotas (BundleTenantQuotasType0 | None | Unset):
    """

    environment: None | str | Unset = UNSET
    id: None | Unset | UUID = UNSET
    name: None | str | Unset = UNSET
    quotas: BundleTenantQuotasType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.bundle_tenant_quotas_type_0 import BundleTenantQuotasType0

        environment: None | str | Unset
        if isinstance(self.environment, Unset):
            environment = UNSET
        else:
            environment = self.environment

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        elif isinstance(self.id, UUID):
            id = str(self.id)
        else:
            id = self.id

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        quotas: dict[str, Any] | None | Unset
        if isinstance(self.quotas, Unset):
            quotas = UNSET
        elif isinstance(self.quotas, BundleTenantQuotasType0):
            quotas = self.quotas.to_dict()
        else:
            quotas = self.quotas

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if environment is not UNSET:
            field_dict["environment"] = environment
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name
        if quotas is not UNSET:
            field_dict["quotas"] = quotas

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bundle_tenant_quotas_type_0 import BundleTenantQuotasType0

        d = dict(src_dict)

        def _parse_environment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        environment = _parse_environment(d.pop("environment", UNSET))

        def _parse_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                id_type_0 = UUID(data)

                return id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_quotas(data: object) -> BundleTenantQuotasType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quotas_type_0 = BundleTenantQuotasType0.from_dict(data)

                return quotas_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BundleTenantQuotasType0 | None | Unset, data)

        quotas = _parse_quotas(d.pop("quotas", UNSET))

        bundle_tenant = cls(
            environment=environment,
            id=id,
            name=name,
            quotas=quotas,
        )

        return bundle_tenant
