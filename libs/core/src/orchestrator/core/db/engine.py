"""Async engines on psycopg 3."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

from orchestrator.core.settings import DatabaseSettings


def async_url(url: str) -> str:
    """Force the psycopg 3 async driver onto a plain ``postgresql://`` URL."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same URL with the psycopg 3 driver, for Alembic's sync connection."""
    return async_url(url)


def libpq_url(url: str) -> str:
    """The same URL as libpq (and ``psycopg.connect``) takes it: no driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect_options(settings: DatabaseSettings) -> str:
    """The server settings every connection starts with (libpq ``options``)."""
    return (
        f"-c statement_timeout={settings.statement_timeout_ms} -c plan_cache_mode=force_custom_plan"
    )


def create_engine(settings: DatabaseSettings, *, owner: bool = False) -> AsyncEngine:
    """An engine for the runtime role, or for the owner role when ``owner`` is set."""
    url = settings.owner_url() if owner else settings.runtime_url()
    return create_async_engine(
        async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_pre_ping=False,
        connect_args={"options": connect_options(settings)},
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
