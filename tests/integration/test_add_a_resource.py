"""The walkthrough of docs/architecture.md ("Where to add a resource"), done: a toy
resource, a workspace's notes, added step by step as a newcomer would, then used over HTTP.

1. Model and migration: a model, and an Alembic version (in a version location of its own)
   that creates the table, enables tenant RLS and grants the runtime role.
2. Core service and repository: a ``Repository`` and one ``AuditedChanges``, with the
   resource's rules beside them.
3. Controller and schemas: msgspec schemas and ``named_controller``, registered in an app
   built as the control-api is.
4. (Console kind: notes are not configuration; no console page.)
5. The checks below: the five routes, their 404 and 409, the audit trail and RLS.

The model has a metadata of its own, so the real schema's ``alembic check`` (in this test
process too) never sees it; everything else is the code base's own.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from litestar.testing import AsyncTestClient
from sqlalchemy import MetaData, String, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from orchestrator.control_api.fields import Name
from orchestrator.control_api.named import Named, named_controller
from orchestrator.control_api.views import page_schema
from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, CONTROL_SCOPES, OperatorRole
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.base import NAMING_CONVENTION, Base, server_now, uuid_pk
from orchestrator.core.db.pages import Keyset, Page, PageRequest
from orchestrator.core.db.repository import Repository
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.http.app import create_service_app
from orchestrator.core.migrations import runner
from orchestrator.core.models import AuditLog, Workspace
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import forge, new_tenant, now
from tests.support.jobs import IsolatedDb, exec_token

pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures
# Building an app warns of Litestar 3's removals (inferred dependencies); the services,
# outside pytest, only log them.
pytestmark = pytest.mark.filterwarnings("ignore::litestar.exceptions.LitestarDeprecationWarning")

# -- 1. Model and migration -----------------------------------------------------------


class ToyBase(DeclarativeBase):
    """The toy's own metadata (see the module's docstring); the code base's conventions."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = Base.type_annotation_map


class Note(ToyBase):
    """A workspace's note."""

    __tablename__ = "toy_notes"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column()
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()


MIGRATION = '''
"""toy notes"""

import sqlalchemy as sa
from alembic import op

from orchestrator.core.db.grants import grant
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision = "toy_notes"
down_revision = "{head}"


def upgrade() -> None:
    op.create_table(
        "toy_notes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "tenant_id", sa.Uuid(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "name", name="uq_toy_notes_tenant_id_name"),
    )
    enable_tenant_rls("toy_notes")
    grant("toy_notes", "SELECT, INSERT, UPDATE, DELETE")


def downgrade() -> None:
    disable_tenant_rls("toy_notes")
    op.drop_table("toy_notes")
'''


def migrate_with_the_toy(owner_url: str, versions: Path) -> None:
    """Write the toy's version after the packaged head, and upgrade to it."""
    config = runner.alembic_config(owner_url)
    packaged = ScriptDirectory.from_config(config).versions
    head = ScriptDirectory.from_config(config).get_current_head()
    (versions / "toy_notes.py").write_text(textwrap.dedent(MIGRATION.format(head=head)))
    config.set_main_option("version_locations", f"{packaged} {versions}")
    config.set_main_option("path_separator", "space")
    command.upgrade(config, "toy_notes")


# -- 2. Core service and repository ---------------------------------------------------

NOTES = Repository(Note, Note.name, keyset=Keyset(Note.name))


def note_view(row: Note) -> dict[str, Any]:
    """What the audit trail records of a note."""
    return {"name": row.name, "text": row.text}


NOTE = AuditedChanges(NOTES, noun="note", kind="note", view=note_view)


async def create_note(session: AsyncSession, m: Mutation, name: str, body: str) -> Note:
    """A new note; 409 when the name is taken."""
    await NOTE.refuse_taken(session, name)
    row = Note(id=uuid.uuid4(), tenant_id=m.tenant_id, name=name, text=body, version=1)
    return await NOTE.create(session, m, name, row)


async def replace_note(session: AsyncSession, m: Mutation, name: str, body: str) -> Note:
    """A note's new text (version +1 when it differs)."""
    row = await NOTE.lock(session, name)
    await NOTE.update(session, m, name, row, {"text": body})
    return row


async def delete_note(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a note."""
    await NOTE.delete(session, m, name, await NOTE.lock(session, name))


async def list_notes(session: AsyncSession, page: PageRequest) -> Page[Note]:
    """The workspace's notes by name."""
    return await NOTES.list(session, page)


async def get_note(session: AsyncSession, name: str) -> Note:
    """A note by name, or 404."""
    return await NOTE.get(session, name)


# -- 3. Controller and schemas --------------------------------------------------------


class NoteCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new note."""

    name: Name
    text: str


class NoteReplace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A note's new text."""

    text: str


class NoteOut(msgspec.Struct, frozen=True, kw_only=True):
    """A note."""

    name: str
    text: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


NoteList = page_schema(NoteOut, "A page of the workspace's notes, by name")

NoteController = named_controller(
    "NoteController",
    "The workspace's notes.",
    Named(
        "/api/v1/notes",
        "note",
        (NoteOut, NoteList, NoteCreate, NoteReplace),
        create=(lambda w: create_note(w.ws.session, w.m, w.data.name, w.data.text), "Create."),
        replace=(lambda w, name: replace_note(w.ws.session, w.m, name, w.data.text), "Replace."),
        get=(get_note, "One note."),
        delete=(delete_note, "Delete a note."),
        list=(list_notes, "The workspace's notes by name; cursor-paginated."),
    ),
)


# -- 5. The checks --------------------------------------------------------------------


@pytest.fixture(scope="module")
async def toy_db(isolated: IsolatedDb, tmp_path_factory: pytest.TempPathFactory) -> IsolatedDb:
    """The isolated database, migrated with the toy's version on top."""
    migrate_with_the_toy(isolated.url, tmp_path_factory.mktemp("toy_versions"))
    return isolated


@pytest.fixture
async def client(
    toy_db: IsolatedDb, service_env: dict[str, str]
) -> AsyncIterator[AsyncTestClient[Any]]:
    """An app built as the control-api is, with the toy's controller registered."""
    settings = CoreSettings.from_env({**service_env, "DATABASE_URL": toy_db.url})
    app = create_service_app(
        service="control-api", title="toy", settings=settings, route_handlers=[NoteController]
    )
    await exec_token(toy_db, uuid.uuid4())  # makes sure a signing key exists
    async with AsyncTestClient(app) as http:
        yield http


async def operator_headers(db: IsolatedDb, tenant: BootstrapResult) -> dict[str, str]:
    """An operator-admin token of the tenant's organization."""
    async with db.owner() as session:
        workspace = await session.get(Workspace, tenant.tenant_id)
    assert workspace is not None
    issued = now()
    token = await forge(
        db.owner,
        db.kek,
        {
            "iss": db.settings.auth.issuer,
            "aud": CONTROL_AUDIENCE,
            "sub": f"op:{uuid.uuid4().hex[:8]}",
            "tid": str(tenant.tenant_id),
            "org": str(workspace.organization_id),
            "role": OperatorRole.OPERATOR_ADMIN.value,
            "scope": " ".join(CONTROL_SCOPES),
            "iat": issued,
            "nbf": issued,
            "exp": issued + 600,
            "jti": uuid.uuid4().hex,
        },
    )
    return {"Authorization": f"Bearer {token}"}


async def audit_actions(db: IsolatedDb, tenant_id: uuid.UUID) -> Sequence[str]:
    """The tenant's audit actions on notes, oldest first."""
    async with db.owner() as session, session.begin():
        await set_tenant(session, tenant_id)
        query = (
            select(AuditLog.action)
            .where(AuditLog.action.startswith("note."))
            .order_by(AuditLog.created_at)
        )
        return list((await session.scalars(query)).all())


async def test_a_toy_resource_added_as_the_walkthrough_says_works_end_to_end(
    toy_db: IsolatedDb, client: AsyncTestClient[Any]
) -> None:
    tenant = await new_tenant(toy_db.app, toy_db.kek)
    headers = await operator_headers(toy_db, tenant)
    why = {"reason": "walkthrough"}

    made = await client.post(
        "/api/v1/notes", json={"name": "n1", "text": "hello"}, headers=headers, params=why
    )
    assert made.status_code == 201, made.text
    assert (made.json()["name"], made.json()["version"]) == ("n1", 1)
    again = await client.post(
        "/api/v1/notes", json={"name": "n1", "text": "x"}, headers=headers, params=why
    )
    assert again.status_code == 409
    replaced = await client.put(
        "/api/v1/notes/n1", json={"text": "hello again"}, headers=headers, params=why
    )
    assert (replaced.json()["text"], replaced.json()["version"]) == ("hello again", 2)
    for name in ("n2", "n3"):
        await client.post(
            "/api/v1/notes", json={"name": name, "text": "t"}, headers=headers, params=why
        )
    first = (await client.get("/api/v1/notes", params={"limit": 2}, headers=headers)).json()
    assert [note["name"] for note in first["items"]] == ["n1", "n2"]
    rest = await client.get(
        "/api/v1/notes", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    )
    assert [note["name"] for note in rest.json()["items"]] == ["n3"]
    assert (await client.delete("/api/v1/notes/n2", headers=headers, params=why)).status_code == 204
    missing = await client.get("/api/v1/notes/n2", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert await audit_actions(toy_db, tenant.tenant_id) == [
        "note.create",
        "note.update",
        "note.create",
        "note.create",
        "note.delete",
    ]

    # Row-level security: another organization's operator sees none of it.
    stranger = await operator_headers(toy_db, await new_tenant(toy_db.app, toy_db.kek))
    assert (await client.get("/api/v1/notes", headers=stranger)).json()["items"] == []
    assert (await client.get("/api/v1/notes/n1", headers=stranger)).status_code == 404
    async with toy_db.app() as session:  # and the runtime role alone, without a tenant
        assert (await session.execute(text("SELECT count(*) FROM toy_notes"))).scalar() == 0
