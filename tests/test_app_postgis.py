"""The streamlit app on a PostGIS store: browsing and checking, and a read-only role.

The app reads ``MINEPLAN_STORE=postgresql://…`` like a GeoPackage path; with a role
that may only read, browsing works and the import page says it cannot import.
Needs ``MINEPLAN_TEST_PG`` (tests/pg.py): skipped without it, failed in CI.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from mineplan.cli import main as cli_main
from mineplan.location import parse_postgres
from mineplan.settings import home
from mineplan.store import can_write
from tests import pg

APP = home() / "app.py"
pg_url = pg.pg_url  # fixture


def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=120)


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, ""))


@pytest.fixture()
def reader(pg_url: str):
    """The store built, and a URL of it for a new role that may only read it."""
    assert cli_main(["build", "-q", "--store", pg_url, "--plans", "yining"]) == 0
    role = f"reader_{uuid.uuid4().hex[:8]}"
    schema = sql.Identifier(parse_postgres(pg_url).schema)
    with psycopg.connect(pg.conninfo(pg_url), autocommit=True) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        con.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, sql.Identifier(role)))
        con.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(
            schema, sql.Identifier(role)))
        con.execute(sql.SQL("GRANT SELECT ON public.layer_styles TO {}").format(
            sql.Identifier(role)))
    yield _as_role(pg_url, role)
    with psycopg.connect(pg.conninfo(pg_url), autocommit=True) as con:
        con.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        con.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.mark.slow
def test_the_app_browses_and_refuses_imports_with_a_read_only_role(reader: str, pg_url: str,
                                                                    monkeypatch) -> None:
    assert can_write(pg_url) and not can_write(reader)
    monkeypatch.setenv("MINEPLAN_STORE", reader)
    at = _app().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["规划"]) == {"伊宁市"}
    at.switch_page("app_pages/import_data.py").run()
    assert not at.exception, at.exception
    assert "只读" in at.info[0].value
    # the CLI as that role: reads work, a write is refused and changes nothing
    assert cli_main(["layers", "--store", reader]) == 0
    assert cli_main(["store", "copy", pg_url, reader]) == 2


def test_a_missing_postgis_store_is_reported_in_plain_words(pg_url: str, monkeypatch) -> None:
    monkeypatch.setenv("MINEPLAN_STORE", pg_url)  # an empty schema: nothing built
    at = _app().run()
    assert not at.exception, at.exception
    assert "mineplan build" in at.error[0].value
