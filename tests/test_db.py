"""``tio.db`` against real databases: SQLite, a password-checking PostgreSQL, MariaDB.

Every password is ``CANARY_PASSWORD`` (``@ : / # % +`` and a space) or contains it, so a URL built
by string formatting fails to log in, and a leak shows in any repr, message, log or pickle.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pickle
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, quote_plus

import pandas as pd
import pytest
import sqlalchemy

# tests/ is not a package: pytest puts it on sys.path, so its helpers import as ``servers``.
from servers.databases import (
    MARIADB_DATABASE,
    MariaDBAccount,
    PostgresCluster,
    ServerUnavailable,
    free_port,
)

import tentaclio_fs as tio
import tentaclio_fs.database as db_module
from tentaclio_fs.db_url import NameOnlyParameterWarning, hide_password, sqlalchemy_url
from tentaclio_fs.errors import BackendNotInstalledError, DatabaseError, UnsupportedSchemeError
from tentaclio_fs.secrets import SecretStore
from tentaclio_fs.testing import CANARY_PASSWORD, CANARY_USER
from tentaclio_fs.urls import URL

pytestmark = pytest.mark.timeout(120)

LEAKS = (CANARY_PASSWORD, quote(CANARY_PASSWORD, safe=""), quote_plus(CANARY_PASSWORD))


def assert_hidden(*outputs: str | bytes) -> None:
    """No form of the canary password in any of ``outputs``."""
    for output in outputs:
        text = output.decode("latin-1") if isinstance(output, bytes) else output
        for form in LEAKS:
            assert form not in text


def secret(scheme: str, host: str, port: int | None, path: str, user: str, password: str) -> str:
    """A secret URL, percent-encoded by the URL value (never by string formatting)."""
    url = URL(scheme=scheme, host=host, port=port, path=path, username=user, password=password)
    return url.render(hide_password=False)


def store_of(**secrets: str) -> SecretStore:
    return SecretStore({f"TENTACLIO__CONN__{name.upper()}": url for name, url in secrets.items()})


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason, except under CI, where a missing server is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(CANARY_USER, CANARY_PASSWORD)
    try:
        cluster.start()
    except ServerUnavailable as error:
        cluster.stop()
        unavailable(f"no password-checking PostgreSQL: {error}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDBAccount]:
    account = MariaDBAccount(CANARY_PASSWORD)
    try:
        account.start()
    except ServerUnavailable as error:
        unavailable(f"no MariaDB: {error}")
    yield account
    account.stop()


@pytest.fixture
def pg_store(postgres: PostgresCluster) -> SecretStore:
    return store_of(
        pg=secret(
            "postgresql", postgres.host, postgres.port, "/analytics", CANARY_USER, CANARY_PASSWORD
        )
    )


@pytest.fixture
def maria_store(mariadb: MariaDBAccount) -> SecretStore:
    return store_of(
        maria=secret("mysql", mariadb.host, mariadb.port, "", mariadb.user, CANARY_PASSWORD)
    )


@dataclass
class Target:
    """A secret-free database URL, the store that authenticates it, and a fresh table name."""

    url: str
    store: SecretStore
    table: str

    def client(self, **engine_options: object) -> db_module.Database:
        return tio.db(self.url, store=self.store, **engine_options)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    table = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        return Target(f"sqlite:///{tmp_path}/t.db", SecretStore({}), table)
    if request.param == "postgresql":
        return Target("postgresql://hostname/analytics", request.getfixturevalue("pg_store"), table)
    store = request.getfixturevalue("maria_store")
    return Target(f"mysql://hostname/{MARIADB_DATABASE}", store, table)


# --- URL conversion: table-driven, no server -------------------------------------------------

CONVERSIONS = [
    # request, drivername, host, port, database, password, query
    ("sqlite:///relative.db", "sqlite", None, None, "relative.db", None, {}),
    ("sqlite:////abs/dir/t.db", "sqlite", None, None, "/abs/dir/t.db", None, {}),
    ("sqlite://", "sqlite", None, None, None, None, {}),
    ("sqlite:///:memory:", "sqlite", None, None, ":memory:", None, {}),
    ("sqlite:///my%20data.db", "sqlite", None, None, "my data.db", None, {}),
    ("postgresql://u:p%40s%2Fs@db.example.com/a", "postgresql+psycopg", "db.example.com", None,
     "a", "p@s/s", {}),
    ("postgresql+psycopg2://h:5433/a", "postgresql+psycopg2", "h", 5433, "a", None, {}),
    ("mysql://h:3307/a", "mysql+pymysql", "h", 3307, "a", None, {}),
    ("mariadb://h/a", "mariadb+pymysql", "h", None, "a", None, {}),
    ("mysql+mysqldb://h/a", "mysql+mysqldb", "h", None, "a", None, {}),
    ("postgresql://h/a?sslmode=require&x=1%2B1", "postgresql+psycopg", "h", None, "a", None,
     {"sslmode": "require", "x": "1+1"}),
    ("postgresql://[::1]:5432/a", "postgresql+psycopg", "::1", 5432, "a", None, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("request_url", "drivername", "host", "port", "database", "password", "query"), CONVERSIONS
)
def test_url_conversion(
    request_url: str,
    drivername: str,
    host: str | None,
    port: int | None,
    database: str | None,
    password: str | None,
    query: dict[str, str],
) -> None:
    converted = sqlalchemy_url(URL.parse(request_url))
    assert converted.drivername == drivername
    assert (converted.host, converted.port, converted.database) == (host, port, database)
    assert converted.password == password
    assert dict(converted.query) == query


def test_name_only_parameter_is_dropped_with_a_warning() -> None:
    with pytest.warns(NameOnlyParameterWarning, match="'flag'"):
        converted = sqlalchemy_url(URL.parse("postgresql://h/a?flag&sslmode=require"))
    assert dict(converted.query) == {"sslmode": "require"}


def test_messages_hide_every_spelling_of_the_password() -> None:
    message = (
        f"a {CANARY_PASSWORD} b {quote(CANARY_PASSWORD, safe='')} c {quote_plus(CANARY_PASSWORD)}"
    )
    assert hide_password(message, CANARY_PASSWORD) == "a *** b *** c ***"


SECRET = "postgresql://etl:pw@db.example.com:5432/analytics?application_name=etl&sslmode=disable"

RESOLUTIONS = [
    # request, drivername, host, port, password, query
    ("postgresql://hostname/analytics", "postgresql+psycopg", "db.example.com", 5432, "pw",
     {"application_name": "etl", "sslmode": "disable"}),
    ("postgresql+psycopg://hostname/analytics", "postgresql+psycopg", "db.example.com", 5432, "pw",
     {"application_name": "etl", "sslmode": "disable"}),
    ("postgresql+psycopg2://db.example.com/analytics/x", "postgresql+psycopg2", "db.example.com",
     5432, "pw", {"application_name": "etl", "sslmode": "disable"}),
    # case 13: both queries reach the driver, the request winning key by key
    ("postgresql://hostname/analytics?sslmode=require", "postgresql+psycopg", "db.example.com",
     5432, "pw", {"application_name": "etl", "sslmode": "require"}),
    # case 6: a port the user wrote is never changed, and the secret does not apply
    ("postgresql://db.example.com:6543/analytics", "postgresql+psycopg", "db.example.com", 6543,
     None, {}),
    # case 7: the secret's path is a prefix at a '/' boundary only
    ("postgresql://db.example.com/", "postgresql+psycopg", "db.example.com", None, None, {}),
    ("postgresql://db.example.com/analytics2", "postgresql+psycopg", "db.example.com", None, None,
     {}),
    ("mysql://hostname/analytics", "mysql+pymysql", "hostname", None, None, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("request_url", "drivername", "host", "port", "password", "query"), RESOLUTIONS
)
def test_resolution(
    request_url: str,
    drivername: str,
    host: str,
    port: int | None,
    password: str | None,
    query: dict[str, str],
) -> None:
    resolution = store_of(pg=SECRET).resolve(URL.parse(request_url))
    converted = sqlalchemy_url(resolution.url, resolution.options)
    assert (converted.drivername, converted.host, converted.port) == (drivername, host, port)
    assert converted.password == password
    assert dict(converted.query) == query


def test_secret_options_are_driver_parameters_the_request_overrides(tmp_path: Path) -> None:
    path = tmp_path / "secrets.yml"
    path.write_text(
        "secrets:\n  pg:\n    url: postgresql://db.example.com/a\n"
        "    options: {connect_timeout: 5, sslmode: disable}\n"
    )
    path.chmod(0o600)
    store = SecretStore({"TENTACLIO__SECRETS_FILE": str(path)})
    resolution = store.resolve(URL.parse("postgresql://db.example.com/a?sslmode=require"))
    converted = sqlalchemy_url(resolution.url, resolution.options)
    assert dict(converted.query) == {"connect_timeout": "5", "sslmode": "require"}


# --- bad input: no server ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_url", "expected"),
    [
        ("nosuchdb://h/a", "'nosuchdb'"),
        ("postgres://h/a", "write postgresql://"),
        ("postgresql+nodriver://h/a", "'postgresql+nodriver'"),
        ("postgresql+asyncpg://h/a", "asyncio"),
    ],
)
def test_unknown_dialect_or_driver(request_url: str, expected: str) -> None:
    with pytest.raises(UnsupportedSchemeError, match=re.escape(expected)):
        tio.db(request_url, store=SecretStore({}))


def test_missing_driver_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymysql", None)  # as if PyMySQL were not installed
    with pytest.raises(BackendNotInstalledError, match=r"pip install pymysql"):
        tio.db(f"mysql://missing-{uuid.uuid4().hex}.example/a", store=SecretStore({}))


@pytest.mark.skipif(importlib.util.find_spec("MySQLdb") is not None, reason="mysqlclient is here")
def test_missing_explicit_driver_names_its_package() -> None:
    with pytest.raises(BackendNotInstalledError, match=r"pip install mysqlclient"):
        tio.db("mysql+mysqldb://h/a", store=SecretStore({}))


def test_import_does_not_load_sqlalchemy() -> None:
    code = "import sys, tentaclio_fs; print('sqlalchemy' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_db_is_callable_whatever_the_import_order() -> None:
    code = (
        "import tentaclio_fs as tio, tentaclio_fs.database\n"
        "for n in (1, 2): print(tio.db('sqlite://').query(f'select {n}')[0][0])"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.split() == ["1", "2"]


# --- SQLite paths (case 11) -------------------------------------------------------------------


def test_sqlite_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with tio.db("sqlite:///relative.db", store=SecretStore({})) as client:
        client.execute("create table t (a int)")
    assert (tmp_path / "relative.db").is_file()


def test_sqlite_absolute_path_as_secret_and_request(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "t.db"
    path.parent.mkdir()
    request = f"sqlite:///{path}"
    assert request.startswith("sqlite:////")
    store = store_of(local=f"{request}?timeout=7")
    with tio.db(request, store=store) as client:
        assert client.engine.url.database == str(path)
        assert client.engine.url.query == {"timeout": "7"}  # the secret did match
        client.execute("create table t (a int)")
    assert path.is_file()


def test_sqlite_in_memory_keeps_data_within_a_client() -> None:
    with tio.db("sqlite://", store=SecretStore({})) as client:
        client.execute("create table t (a int)")
        client.execute("insert into t values (:a)", a=5)
        assert client.query("select a from t") == [(5,)]


# --- every backend ----------------------------------------------------------------------------


def test_query_then_execute_on_one_client(target: Target) -> None:
    with target.client() as client:
        assert client.query("select 1") == [(1,)]
        client.execute(f"create table {target.table} (a int, b varchar(100))")
        assert client.execute(f"insert into {target.table} values (:a, :b)", a=1, b="x") == 1
        assert client.query(f"select b from {target.table} where a = :a", a=1) == [("x",)]
    with target.client() as other:  # committed: another connection sees it
        assert other.query(f"select count(*) from {target.table}") == [(1,)]


def test_parameters_are_bound_not_interpolated(target: Target) -> None:
    hostile = "x'); drop table t; -- :b %s {0}"
    with target.client() as client:
        client.execute(f"create table {target.table} (b varchar(100))")
        client.execute(f"insert into {target.table} values (:b)", b=hostile)
        assert client.query(f"select b from {target.table}")[0].b == hostile


def test_transaction_commits_together_or_rolls_back(target: Target) -> None:
    with target.client() as client:
        client.execute(f"create table {target.table} (a int)")
        with pytest.raises(RuntimeError), client.transaction() as tx:
            tx.execute(f"insert into {target.table} values (1)")
            raise RuntimeError("abort")
        assert client.query(f"select a from {target.table}") == []
        with client.transaction() as tx:
            tx.execute(f"insert into {target.table} values (2)")
            tx.execute(f"insert into {target.table} values (3)")
    with target.client() as other:
        assert sorted(other.query(f"select a from {target.table}")) == [(2,), (3,)]


def test_query_error_is_the_sql_error_without_credentials(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with target.client(echo=False) as client, pytest.raises(DatabaseError) as caught:
        client.query("select * from no_such_table_here")
    message = str(caught.value)
    assert "no_such_table_here" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert_hidden(message, pickle.dumps(caught.value), repr(client), caplog.text)
    with target.client() as client:  # the failed statement left nothing behind
        assert client.query("select 1") == [(1,)]


def test_pandas_round_trip(target: Target) -> None:
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    with target.client() as client:
        client.dump_df(frame, target.table)
        client.dump_df(frame.head(1), target.table, if_exists="append")
        read = client.get_df(f"select a, b from {target.table} where a >= :low order by a", low=2)
        assert read.to_dict("list") == {"a": [2, 3], "b": ["y", "z"]}
        frame.to_sql(target.table + "_e", client.engine, index=False)
        through_engine = pd.read_sql(f"select count(*) as n from {target.table}_e", client.engine)
        assert through_engine["n"].tolist() == [3]


def test_engine_is_reused_across_a_thousand_blocks(target: Target) -> None:
    first = target.client()
    engine = first.engine
    connections: list[object] = []
    sqlalchemy.event.listen(engine, "connect", lambda *args: connections.append(args))
    cached = len(db_module._engines)
    for _ in range(1000):
        with target.client() as client:
            assert client.engine is engine
            client.query("select 1")
    assert len(db_module._engines) == cached
    assert len(connections) <= 1  # one pooled connection served every block
    assert engine.pool.checkedout() == 0


# --- PostgreSQL --------------------------------------------------------------------------------


def test_postgres_connects_as_the_secret_user(
    pg_store: SecretStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with tio.db("postgresql://hostname/analytics", store=pg_store, echo=False) as client:
        row = client.query("select current_user, current_database()")[0]
        assert tuple(row) == (CANARY_USER, "analytics")
        assert "***" in repr(client)
        assert_hidden(repr(client), pickle.dumps(client), caplog.text)


def test_url_value_with_inline_password(postgres: PostgresCluster) -> None:
    url = URL.parse(
        secret(
            "postgresql", postgres.host, postgres.port, "/analytics", CANARY_USER, CANARY_PASSWORD
        )
    )
    with tio.db(url, store=SecretStore({})) as client:
        assert client.query("select current_user")[0][0] == CANARY_USER
        assert_hidden(repr(client))


def test_postgres_wrong_password(
    postgres: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "x" + CANARY_PASSWORD
    store = store_of(
        pg=secret("postgresql", postgres.host, postgres.port, "/analytics", CANARY_USER, wrong)
    )
    client = tio.db("postgresql://hostname/analytics", store=store)
    with pytest.raises(DatabaseError, match="password authentication failed") as caught:
        client.query("select 1")
    message = str(caught.value)
    assert f"{postgres.host}:{postgres.port}/analytics" in message
    assert quote(wrong, safe="") not in message
    assert_hidden(message, repr(client), caplog.text, pickle.dumps(caught.value))


def test_case_6_a_written_port_is_kept_and_the_secret_not_used(postgres: PostgresCluster) -> None:
    store = store_of(
        pg=secret(
            "postgresql", postgres.host, free_port(), "/analytics", CANARY_USER, CANARY_PASSWORD
        )
    )
    client = tio.db(f"postgresql://{postgres.host}:{postgres.port}/analytics", store=store)
    assert client.engine.url.port == postgres.port and client.engine.url.password is None
    with pytest.raises(DatabaseError, match="password") as caught:
        client.query("select 1")
    assert_hidden(str(caught.value))


def test_case_7_path_prefix_at_a_slash_only(
    postgres: PostgresCluster, pg_store: SecretStore
) -> None:
    client = tio.db(f"postgresql://{postgres.host}:{postgres.port}/", store=pg_store)
    assert client.engine.url.password is None
    with pytest.raises(DatabaseError) as caught:
        client.query("select 1")
    assert_hidden(str(caught.value))


def test_case_13_both_queries_reach_the_driver(postgres: PostgresCluster) -> None:
    url = secret(
        "postgresql", postgres.host, postgres.port, "/analytics", CANARY_USER, CANARY_PASSWORD
    )
    store = store_of(pg=url + "?application_name=etl&sslmode=disable")
    with pytest.warns(NameOnlyParameterWarning):
        client = tio.db("postgresql://hostname/analytics?sslmode=require&flag", store=store)
    with client:
        name, ssl = client.query(
            "select current_setting('application_name'), ssl from pg_stat_ssl"
            " where pid = pg_backend_pid()"
        )[0]
    assert (name, ssl) == ("etl", True)


def test_credentials_change_gives_a_new_engine_and_disposes_the_old(
    postgres: PostgresCluster,
) -> None:
    user, first, second = "rotator", "first@pw:1/#", "second%pw+2 "
    postgres.add_user(user, first)
    environ = {
        "TENTACLIO__CONN__PG": secret(
            "postgresql", postgres.host, postgres.port, "/analytics", user, first
        )
    }
    store = SecretStore(environ)
    with tio.db("postgresql://hostname/analytics", store=store) as client:
        assert client.query("select current_user") == [(user,)]
        old = client.engine
    old_pool = old.pool
    assert old_pool.checkedin() == 1
    postgres.add_user(user, second)
    environ["TENTACLIO__CONN__PG"] = secret(
        "postgresql", postgres.host, postgres.port, "/analytics", user, second
    )
    with tio.db("postgresql://hostname/analytics", store=store) as client:
        assert client.engine is not old
        assert client.query("select current_user") == [(user,)]
    assert old_pool.checkedin() == 0 and old.pool is not old_pool  # disposed
    assert old not in db_module._engines.values()


def test_default_store_reads_the_secrets_file(
    postgres: PostgresCluster, secrets: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets.add(  # type: ignore[attr-defined]
        "warehouse",
        {
            "url": f"postgresql://{postgres.host}:{postgres.port}/analytics",
            "username": CANARY_USER,
            "password": CANARY_PASSWORD,
            "options": {"application_name": "from-yaml"},
        },
    )
    with tio.db("postgresql://hostname/analytics") as client:
        assert client.query("select current_user, current_setting('application_name')") == [
            (CANARY_USER, "from-yaml")
        ]
        pickled = pickle.dumps(client)
    assert_hidden(pickled, caplog.text)
    with pickle.loads(pickled) as clone:  # resolves its credentials again, here
        assert clone.query("select current_user") == [(CANARY_USER,)]


# --- MariaDB -----------------------------------------------------------------------------------


def test_mariadb_connects_as_the_secret_user_through_the_environment(
    mariadb: MariaDBAccount, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("TENTACLIO__SECRETS_FILE", raising=False)
    url = secret("mysql", mariadb.host, mariadb.port, "", mariadb.user, CANARY_PASSWORD)
    monkeypatch.setenv("TENTACLIO__CONN__MARIA", url)
    with tio.db(f"mysql://hostname/{MARIADB_DATABASE}", echo=False) as client:
        user, database = client.query("select current_user(), database()")[0]
        assert user.startswith(f"{mariadb.user}@") and database == MARIADB_DATABASE
        assert_hidden(repr(client), caplog.text, pickle.dumps(client))


def test_mariadb_wrong_password(mariadb: MariaDBAccount) -> None:
    wrong = "x" + CANARY_PASSWORD
    store = store_of(maria=secret("mysql", mariadb.host, mariadb.port, "", mariadb.user, wrong))
    client = tio.db(f"mysql://hostname/{MARIADB_DATABASE}", store=store)
    with pytest.raises(DatabaseError, match="Access denied") as caught:
        client.query("select 1")
    assert quote(wrong, safe="") not in str(caught.value)
    assert_hidden(str(caught.value), repr(client))
