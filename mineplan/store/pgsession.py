"""Connections to a PostGIS store: transactions, the writer lock, roles, errors.

One connection per read or write (no pool: the app and the command line run
short operations, and a server's connection limit is the bureau's), one
transaction each. :func:`reading` is a read-only transaction on an existing
store; :func:`writing` first takes the store's transaction-level advisory lock,
waiting at most :func:`mineplan.settings.lock_timeout` seconds (then
:class:`~mineplan.errors.StoreBusyError`), and acts as the schema's owner role
when the login role is a member of it. Database errors become
:class:`~mineplan.errors.StoreError` naming the store.

May import: :mod:`mineplan.settings`, :mod:`mineplan.errors`, :mod:`mineplan.location`,
psycopg, SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql

from mineplan import settings
from mineplan.errors import StoreBusyError, StoreError
from mineplan.location import PgLocation

__all__ = ["LOCK_PREFIX", "as_login", "connection", "engine", "reading", "require_store",
           "writing"]

log = logging.getLogger(__name__)

#: The advisory lock of a store is ``hashtextextended(LOCK_PREFIX || schema, 0)``.
LOCK_PREFIX = "mineplan store "



@contextlib.contextmanager
def connection(loc: PgLocation) -> Iterator[tuple[sa.Connection, psycopg.Connection[Any]]]:
    """One SQLAlchemy connection (for GeoPandas) and its psycopg connection, one transaction.

    Commits when the block ends normally, rolls back on any error.
    """
    store_engine = engine(loc)
    try:
        with store_engine.begin() as con:
            raw = con.connection.driver_connection
            assert isinstance(raw, psycopg.Connection)
            yield con, raw
    except psycopg.errors.LockNotAvailable as exc:
        raise StoreBusyError(f"{loc.url}: another writer holds the store (waited "
                             f"{settings.lock_timeout():g} s); nothing was written, try again"
                             ) from exc
    except sa.exc.DBAPIError as exc:
        if isinstance(exc.orig, psycopg.errors.LockNotAvailable):
            raise StoreBusyError(f"{loc.url}: another writer holds the store (waited "
                                 f"{settings.lock_timeout():g} s); nothing was written, "
                                 "try again") from exc
        raise StoreError(f"{loc.url}: {_first_line(exc.orig or exc)}") from exc
    except psycopg.Error as exc:
        raise StoreError(f"{loc.url}: {_first_line(exc)}") from exc


@functools.lru_cache(maxsize=8)
def engine(loc: PgLocation) -> sa.Engine:
    """An SQLAlchemy engine for ``loc`` (no pool: every use opens its own connection).

    Kept per location so that SQLAlchemy inspects the server once per process.
    """
    def connect() -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(loc.conninfo, application_name="mineplan")
        except psycopg.OperationalError as exc:
            raise StoreError(_connect_message(loc, exc)) from exc

    return sa.create_engine("postgresql+psycopg://", creator=connect, poolclass=sa.NullPool)


@contextlib.contextmanager
def reading(loc: PgLocation) -> Iterator[tuple[sa.Connection, psycopg.Connection[Any]]]:
    """A read-only transaction on an existing store (StoreError when there is none)."""
    with connection(loc) as (con, raw):
        raw.execute("SET TRANSACTION READ ONLY")
        require_store(raw, loc)
        yield con, raw


@contextlib.contextmanager
def writing(
    loc: PgLocation, what: str, *, create_schema: bool = False,
) -> Iterator[tuple[sa.Connection, psycopg.Connection[Any]]]:
    """A transaction holding the store's writer lock (bounded wait, then StoreBusyError)."""
    with connection(loc) as (con, raw):
        timeout_ms = max(int(settings.lock_timeout() * 1000), 1)
        raw.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{timeout_ms}ms")))
        log.debug("%s: waiting for the writer lock of %s", what, loc.url)
        raw.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    (LOCK_PREFIX + loc.schema,))
        owner = raw.execute(
            "SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner"
            " WHERE n.nspname = %s AND r.rolname <> current_user"
            " AND pg_has_role(current_user, r.oid, 'MEMBER')", (loc.schema,)).fetchone()
        if owner:  # write as the schema's owner (the editors' group role): any editor
            raw.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner[0])))
        if create_schema:
            exists = raw.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                 (loc.schema,)).fetchone()
            if not exists:  # (CREATE SCHEMA IF NOT EXISTS needs CREATE on the database)
                raw.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(loc.schema)))
        else:
            require_store(raw, loc)
        yield con, raw


def require_store(raw: psycopg.Connection[Any], loc: PgLocation) -> None:
    found = raw.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (loc.schema,)).fetchone()
    if not found:
        raise StoreError(f"{loc.url}: no store in schema {loc.schema!r}; build it with "
                         f"`mineplan build --store {loc.url}`")


def _connect_message(loc: PgLocation, exc: Exception) -> str:
    text = _first_line(exc)
    hint = ""
    if "password" in text.lower():
        hint = " (set PGPASSWORD in the environment or put the password in ~/.pgpass)"
    return f"{loc.url}: cannot connect: {text}{hint}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextlib.contextmanager
def as_login(raw: psycopg.Connection[Any]) -> Iterator[None]:
    """Run the block as the login role, not the schema owner's a writer took.

    ``public.layer_styles`` is shared by every schema of the database; an editor's
    rights on it are the login role's (or inherited from its groups), not the
    store owner's.
    """
    row = raw.execute("SELECT current_user").fetchone()
    raw.execute("SET LOCAL ROLE NONE")
    yield
    if row:
        raw.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(row[0])))
