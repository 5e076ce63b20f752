"""``/api/v1/secret-refs``: CRUD of secret refs and the write-only value of ``db://`` ones."""

from __future__ import annotations

from typing import Any

from litestar import Request, put

from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.named import Named, Write, named_controller
from orchestrator.control_api.routes import WRITE
from orchestrator.control_api.scope import (
    Reason,
    WorkspaceScope,
)
from orchestrator.control_api.secret_refs.schemas import (
    SecretRefCreate,
    SecretRefList,
    SecretRefOut,
    SecretRefReplace,
    SecretValue,
)
from orchestrator.control_api.views import WRITES, out, page_out
from orchestrator.core.configuration import repository, secret_refs
from orchestrator.core.models import SecretRef
from orchestrator.core.runtime import Resources
from orchestrator.core.secrets.keyring import keyring_from
from orchestrator.core.secrets.refs import scheme_of
from orchestrator.core.secrets.scope import RefScope


def scope_of(request: Request[Any, Any, Any]) -> RefScope:
    """What this deployment's secret refs may reach (``ORCH_SECRET_REFS_*``)."""
    resources: Resources = request.app.state.resources
    return RefScope.from_settings(resources.settings.secret_refs)


def derived(row: SecretRef) -> dict[str, Any]:
    """The fields of a secret ref's view its row holds only in other forms (never the
    value itself)."""
    # A row stored before the current rules is still shown (and can be repointed).
    return {"scheme": scheme_of(row.ref) or "unknown", "has_value": row.sealed_value is not None}


def to_out(row: SecretRef) -> SecretRefOut:
    """The API view of a secret ref."""
    return out(row, SecretRefOut, **derived(row))


async def _create(w: Write) -> SecretRef:
    return await secret_refs.create_secret_ref(
        w.ws.session, w.m, w.data.name, w.data.ref, scope_of(w.request)
    )


async def _replace(w: Write, name: str) -> SecretRef:
    scope = scope_of(w.request)
    return await secret_refs.replace_secret_ref(w.ws.session, w.m, name, w.data.ref, scope)


_SecretRefs = named_controller(
    "_SecretRefs",
    "The five routes every named resource has.",
    Named(
        "/api/v1/secret-refs",
        "secret_ref",
        (SecretRefOut, SecretRefList, SecretRefCreate, SecretRefReplace),
        create=(
            _create,
            "Create a secret ref (422 when it names what the workspace may not reach).",
        ),
        replace=(
            _replace,
            "Point a secret ref elsewhere; the version goes up only when the ref changes.",
        ),
        get=(
            secret_refs.get_secret_ref,
            "One secret ref; ``has_value`` says whether a ``db://`` value is stored.",
        ),
        delete=(
            secret_refs.delete_secret_ref,
            "Delete a secret ref no connector uses (409 names the connectors that do).",
        ),
        list=(
            repository.list_secret_refs,
            "The workspace's secret refs by name; cursor-paginated.",
        ),
        show=to_out,
        show_page=lambda got: page_out(got, SecretRefList, derived),
    ),
)


class SecretRefController(_SecretRefs):  # type: ignore[misc,valid-type]
    """Secret refs of one workspace (``?workspace=``, default the token's), and the
    write-only value of ``db://`` ones."""

    @put("/{name:str}/value", opt=WRITE, status_code=204, responses=WRITES)
    async def set_secret_value(
        self,
        resources: Resources,
        ws: WorkspaceScope,
        name: NameInPath,
        data: SecretValue,
        reason: Reason,
    ) -> None:
        """Store the value of a ``db://`` ref, encrypted; it is never returned (409 otherwise)."""
        keys = keyring_from(resources.settings.crypto)
        await secret_refs.set_secret_value(ws.session, ws.mutation(reason), keys, name, data.value)
