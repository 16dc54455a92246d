"""Database URLs: a resolved tentaclio URL to a SQLAlchemy URL, built from parts; and how a
database is named in messages, never with its password.

Why from parts: formatting ``f"{user}:{password}@{host}"`` breaks (or silently changes the host)
as soon as a password holds ``@ : / # % +``. ``URL.create`` takes the decoded values as they are,
so a password goes to the driver exactly as the secret holds it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote

from sqlalchemy.engine import URL as SQLAlchemyURL

from .errors import SecretError
from .urls import URL

__all__ = [
    "DEFAULT_DRIVERS",
    "NameOnlyParameterWarning",
    "database_name",
    "driver_package",
    "drivername",
    "driver_query",
    "hide_password",
    "location",
    "sqlalchemy_url",
    "unknown_dialect_message",
]

#: The driver used when a URL names only the dialect: our tested drivers, not SQLAlchemy's
#: historical defaults (psycopg2, mysqlclient), which need a compiler to install.
DEFAULT_DRIVERS = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}

# The pip package behind each SQLAlchemy driver name, for "pip install ..." hints.
_DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pg8000": "pg8000",
    "asyncpg": "asyncpg",
    "pymysql": "pymysql",
    "mysqldb": "mysqlclient",
    "mysqlconnector": "mysql-connector-python",
    "mariadbconnector": "mariadb",
    "pyodbc": "pyodbc",
    "oracledb": "oracledb",
}


class NameOnlyParameterWarning(UserWarning):
    """A query parameter without a value was dropped: no database driver takes a bare flag."""


def drivername(scheme: str) -> str:
    """``postgresql`` becomes ``postgresql+psycopg``; an explicit ``+driver`` is kept."""
    dialect, plus, driver = scheme.lower().partition("+")
    if plus:
        return f"{dialect}+{driver}"
    default = DEFAULT_DRIVERS.get(dialect)
    return f"{dialect}+{default}" if default else dialect


def driver_package(driver: str) -> str:
    """The pip package that provides ``driver`` (SQLAlchemy's name for a DBAPI module)."""
    return _DRIVER_PACKAGES.get(driver, driver)


def database_name(url: URL) -> str | None:
    """The path without its leading ``/``, percent-decoded once; None when there is none.

    ``sqlite:///rel.db`` gives ``rel.db`` (relative to the working directory),
    ``sqlite:////abs/t.db`` gives ``/abs/t.db`` and ``sqlite://`` gives None (in memory).
    """
    name = unquote(url.path[1:] if url.path.startswith("/") else url.path)
    return name or None


def driver_query(url: URL, options: Mapping[str, Any], secret_name: str = "") -> dict[str, str]:
    """The parameters passed to the driver: the secret's ``options``, then the URL's query.

    The resolved URL's query already lists the secret's query before the request's, so the last
    value of a key wins and the request wins key by key. A name-only parameter (``?flag``) is
    dropped with a :class:`NameOnlyParameterWarning`: driver options all take a value, and an
    empty string would make psycopg and PyMySQL refuse the connection.
    """
    query = {key: _option_text(key, value, secret_name) for key, value in options.items()}
    for key, value in url.query:
        if value is None:
            warnings.warn(
                f"database URL parameter {key!r} has no value and was dropped; "
                f"write {key}=VALUE to pass it to the driver",
                NameOnlyParameterWarning,
                stacklevel=4,
            )
            continue
        query[key] = value
    return query


def sqlalchemy_url(
    url: URL, options: Mapping[str, Any] | None = None, secret_name: str = ""
) -> SQLAlchemyURL:
    """The SQLAlchemy URL for a resolved tentaclio URL and its secret's options."""
    return SQLAlchemyURL.create(
        drivername(url.scheme),
        username=url.username,
        password=url.password,
        host=url.host or None,
        port=url.port,
        database=database_name(url),
        query=driver_query(url, options or {}, secret_name),
    )


def unknown_dialect_message(drivername: str) -> str:
    """What to write instead of a dialect or driver SQLAlchemy does not know."""
    known = ", ".join(["sqlite://"] + [f"{name}://" for name in DEFAULT_DRIVERS])
    hint = "; write postgresql://" if drivername.partition("+")[0] == "postgres" else ""
    return (
        f"no SQLAlchemy dialect or driver {drivername!r}{hint}: use {known}, optionally with a "
        "driver such as postgresql+psycopg://, or install the package that provides the dialect"
    )


def location(target: SQLAlchemyURL) -> str:
    """Where a database is, for messages: ``postgresql at host:port/db``, no credentials."""
    backend = target.get_backend_name()
    if backend == "sqlite":
        return f"sqlite at {target.database or ':memory:'}"
    netloc = target.host or "localhost"
    if target.port is not None:
        netloc += f":{target.port}"
    return f"{backend} at {netloc}/{target.database or ''}"


def hide_password(message: str, password: str | None) -> str:
    """``message`` with every spelling of ``password`` (raw, percent- or form-encoded) masked."""
    if not password:
        return message
    for spelling in {password, quote(password, safe=""), quote(password), quote_plus(password)}:
        message = message.replace(spelling, "***")
    return message


def _option_text(key: str, value: Any, secret_name: str) -> str:
    if isinstance(value, bool | int | float | str):
        return str(value)
    raise SecretError(
        secret_name or "(unnamed)",
        f"option {key!r} is a {type(value).__name__}",
        "database options are driver parameters, each a single value such as sslmode: require",
    )
