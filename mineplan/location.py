"""Store locations: a GeoPackage path or a PostgreSQL URL, and such a URL taken apart.

A store location is either a path to a GeoPackage (the default backend) or a
PostgreSQL URL naming a database and a schema::

    postgresql://USER@HOST:PORT/DATABASE?schema=SCHEMA

The schema defaults to :data:`DEFAULT_SCHEMA`; other query parameters (``sslmode``,
``connect_timeout`` …) go to libpq unchanged. A URL never carries a password:
libpq takes it from ``PGPASSWORD`` or ``~/.pgpass``, so it appears on no command
line, in no process list and on no page. A location that went through
:class:`pathlib.Path` (``postgresql:/user@host/db`` — a ``Path`` folds ``//``) is
recognised and repaired, so command-line options typed as paths accept URLs.

Light on purpose (the standard library and :mod:`mineplan.errors`): the command
line's parser uses it without importing the store's heavy dependencies.

May import: :mod:`mineplan.errors`. Nothing else of mineplan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mineplan.errors import StoreError

__all__ = [
    "DEFAULT_SCHEMA",
    "PgLocation",
    "as_location",
    "is_postgres",
    "location_text",
    "parse_postgres",
]

#: The schema of a PostgreSQL store whose URL names none.
DEFAULT_SCHEMA = "mineplan"

_SCHEME = re.compile(r"^(postgresql|postgres):/+", re.IGNORECASE)


def is_postgres(location: str | Path) -> bool:
    """True when ``location`` is a PostgreSQL URL (also after a trip through ``Path``)."""
    return bool(_SCHEME.match(str(location)))


def location_text(location: str | Path) -> str:
    """The location as the user would write it: a repaired URL, or the path as text."""
    text = str(location)
    match = _SCHEME.match(text)
    if match:
        return "postgresql://" + text[match.end():]
    return text


def as_location(value: str | Path) -> str | Path:
    """A store location from the command line or the environment: URL text, else a Path.

    >>> as_location("postgresql://planner@db/gis?schema=county")
    'postgresql://planner@db/gis?schema=county'
    >>> as_location(Path("postgresql://planner@db/gis"))  # folded by Path, repaired
    'postgresql://planner@db/gis'
    >>> as_location("geodata/mineplan.gpkg")
    PosixPath('geodata/mineplan.gpkg')
    """
    return location_text(value) if is_postgres(value) else Path(value)


@dataclass(frozen=True)
class PgLocation:
    """A PostgreSQL store: what libpq connects to and the schema holding the layers.

    Attributes
    ----------
    conninfo
        The URL libpq is given (no ``schema`` parameter; never a password).
    schema
        The schema of the store's tables.
    url
        The location as the user wrote it (for messages).
    """

    conninfo: str
    schema: str
    url: str


def parse_postgres(location: str | Path) -> PgLocation:
    """Take a PostgreSQL store URL apart.

    Raises
    ------
    StoreError
        When the URL carries a password (in the user part or as a ``password``
        parameter), names no database, or names an empty schema.

    Examples
    --------
    >>> loc = parse_postgres("postgresql://planner@db.example:5432/gis?schema=county")
    >>> loc.schema, loc.conninfo
    ('county', 'postgresql://planner@db.example:5432/gis')
    >>> parse_postgres("postgresql://planner@db.example/gis").schema
    'mineplan'
    """
    url = location_text(location)
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if parts.password is not None or any(k.lower() == "password" for k, _ in query):
        raise StoreError(
            "the store URL carries a password; remove it and set PGPASSWORD in the "
            "environment or put the password in ~/.pgpass (mineplan never takes a "
            "password from the command line)")
    if not parts.path.strip("/"):
        raise StoreError(f"{url}: the store URL names no database "
                         "(postgresql://USER@HOST:PORT/DATABASE?schema=SCHEMA)")
    schema = DEFAULT_SCHEMA
    rest = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            rest.append((key, value))
    if not schema:
        raise StoreError(f"{url}: empty schema name")
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest), ""))
    return PgLocation(conninfo=conninfo, schema=schema, url=url)
