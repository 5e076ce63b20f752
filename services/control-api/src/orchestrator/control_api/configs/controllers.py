"""``/api/v1/configs``: list configs, read a version, put a new active version, and move
the active pointer (activate, rollback)."""

from __future__ import annotations

from litestar import get, put

from orchestrator.control_api.configs.schemas import (
    ConfigActivate,
    ConfigList,
    ConfigOut,
    ConfigPut,
)
from orchestrator.control_api.fields import ExpectedActive, NameInPath, VersionToRead
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ, WRITE, acts
from orchestrator.control_api.scope import (
    Reason,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS, WRITES, out, page_out
from orchestrator.core.configuration import configs, repository
from orchestrator.core.configuration.models import Config, ConfigVersion
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import NotFound


def to_out(config: Config, version: ConfigVersion) -> ConfigOut:
    """The API view of one config version."""
    return out(
        version,
        ConfigOut,
        name=config.name,
        active_version=config.active_version,
        latest_version=config.latest_version,
    )


class ConfigController(ScopedController):
    """Configs of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/configs"
    tags = ["configs"]

    @get(opt=READ, responses=READS, dependencies=PAGED)
    async def list_configs(self, ws: WorkspaceScope, page: PageRequest) -> ConfigList:
        """The workspace's configs by name, without documents; cursor-paginated."""
        got = await repository.list_configs(ws.session, page)
        return page_out(got, ConfigList)

    @get("/{name:str}", opt=READ, responses=READS)
    async def get_config(
        self, ws: WorkspaceScope, name: NameInPath, version: VersionToRead = None
    ) -> ConfigOut:
        """A config's active version, or the version asked for."""
        if version is None:
            return to_out(*await configs.get_config(ws.session, name))
        found = await repository.config_version(ws.session, name, version)
        if found is None:
            raise NotFound(f"Config `{name}` has no version {version} in this workspace.")
        return to_out(*found)

    @put("/{name:str}", opt=WRITE, responses=WRITES)
    async def put_config(
        self, ws: WorkspaceScope, name: NameInPath, data: ConfigPut, reason: Reason
    ) -> ConfigOut:
        """Store a new version and make it active (created if missing). Compared with the
        active version only: equal, a no-op; equal to an inactive one, a new version."""
        m = ws.mutation(reason)
        return to_out(*await configs.put_config(ws.session, m, name, data.document))

    @acts("/{name:str}/activate")
    async def activate_config(
        self, ws: WorkspaceScope, name: NameInPath, data: ConfigActivate, reason: Reason
    ) -> ConfigOut:
        """Make an existing version active (422 if there is no such version; a no-op,
        unaudited, if it already is). ``expected_active_version`` makes it a compare-and-set."""
        m = ws.mutation(reason)
        found = await configs.activate_config(
            ws.session, m, name, data.version, data.expected_active_version
        )
        return to_out(*found)

    @acts("/{name:str}/rollback")
    async def rollback_config(
        self,
        ws: WorkspaceScope,
        name: NameInPath,
        reason: Reason,
        expected_active_version: ExpectedActive = None,
    ) -> ConfigOut:
        """Re-activate the version that was active before the current one (the last pointer
        move undone, so a second rollback undoes the first); 409 if there is none."""
        m = ws.mutation(reason)
        found = await configs.rollback_config(ws.session, m, name, expected_active_version)
        return to_out(*found)
