"""``tio.db(url)``: authenticated, cached SQLAlchemy engines and a small client over them.

The URL is resolved by the same secrets store as the filesystems, then turned into a SQLAlchemy
URL from parts (:mod:`tentaclio_fs.db_url`). Engines are cached per process, resolved URL and
engine options, so ``with tio.db(url)`` in a loop reuses one connection pool; when a secret's
credentials change, the next call builds a new engine and disposes the old one.

Errors from SQLAlchemy or the driver become :class:`~tentaclio_fs.errors.DatabaseError`, whose
message keeps the server's words and loses the password (SQLAlchemy and driver messages may quote
connection parameters).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import sqlalchemy
from sqlalchemy import exc
from sqlalchemy.engine import URL as SQLAlchemyURL
from sqlalchemy.engine import Connection, CursorResult, Engine, Row

from .db_url import (
    driver_package,
    hide_password,
    location,
    sqlalchemy_url,
    unknown_dialect_message,
)
from .errors import BackendNotInstalledError, DatabaseError, UnsupportedSchemeError
from .secrets import Resolution, SecretStore, default_store
from .urls import URL

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Database", "db"]

_log = logging.getLogger(__name__)
T = TypeVar("T")

# (pid, resolved SQLAlchemy URL with its password, engine options): one engine each. The pid keeps
# a forked child from sharing its parent's sockets.
EngineKey = tuple[int, SQLAlchemyURL, str]
# (pid, store, the URL as requested, engine options): which engine a request got last, so that a
# change of credentials can dispose the engine they replaced.
RequestKey = tuple[int, int, str, str]

_engines: dict[EngineKey, Engine] = {}
_last_engine: dict[RequestKey, EngineKey] = {}
_lock = threading.Lock()


def db(url: str | URL, *, store: SecretStore | None = None, **engine_options: Any) -> Database:
    """A client for the database at ``url``, with credentials from the secrets ``store``.

    ``url`` is written without secrets (``postgresql://hostname/analytics``); the matching
    secret gives host, port, user, password and driver parameters (see :mod:`db_url`).
    ``engine_options`` go to :func:`sqlalchemy.create_engine` (``pool_size``, ``echo``, ...).
    Query parameters of the secret and of ``url`` reach the driver, ``url`` winning key by key;
    a name-only parameter (``?flag``) is dropped with a warning, once per distinct URL.

    A pickled client carries no password and no store: unpickled, it resolves its credentials
    again from the default store of the receiving process.
    """
    written = url.render(hide_password=False) if isinstance(url, URL) else url
    request = _parse(written)
    store = store or default_store()
    target = _convert(store.resolve(request))
    token = repr(sorted(engine_options.items()))
    engine = _cached_engine(target, engine_options, (os.getpid(), id(store), written, token))
    return Database(engine, request, engine_options)


# Parsing and converting are pure, and a loop of ``with tio.db(url)`` blocks repeats them: memoized,
# they cost a dictionary probe. Only resolving runs every time, since secrets may change.
_parse = functools.lru_cache(maxsize=512)(URL.parse)


@functools.lru_cache(maxsize=512)
def _convert_plain(url: URL) -> SQLAlchemyURL:
    return sqlalchemy_url(url)


def _convert(resolution: Resolution) -> SQLAlchemyURL:
    """The SQLAlchemy URL of a resolution; memoized unless the secret has options."""
    if not resolution.options:
        return _convert_plain(resolution.url)
    name = resolution.match.secret.label if resolution.match else ""
    return sqlalchemy_url(resolution.url, resolution.options, name)


def _cached_engine(
    target: SQLAlchemyURL, engine_options: Mapping[str, Any], request_key: RequestKey
) -> Engine:
    """The engine for ``target``, made once; an engine a request no longer reaches is disposed."""
    key = (request_key[0], target, request_key[3])
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _create_engine(target, engine_options)
        previous = _last_engine.get(request_key)
        _last_engine[request_key] = key
        replaced = None
        if previous is not None and previous != key and previous not in _last_engine.values():
            replaced = _engines.pop(previous, None)
    if replaced is not None:
        _log.debug("credentials changed for %s: disposing the previous engine", replaced.url)
        replaced.dispose()
    return engine


@atexit.register
def _dispose_engines() -> None:
    """Close pooled connections at exit, politely rather than by garbage collection.

    Only this process's engines: a forked child must not close the sockets of its parent.
    """
    pid = os.getpid()
    with _lock:
        mine = [engine for key, engine in _engines.items() if key[0] == pid]
    for engine in mine:
        engine.dispose()


def _create_engine(target: SQLAlchemyURL, engine_options: Mapping[str, Any]) -> Engine:
    """A new engine, or an error that says which package or URL to use instead."""
    try:
        dialect = target.get_dialect()
    except exc.NoSuchModuleError:
        raise UnsupportedSchemeError(unknown_dialect_message(target.drivername)) from None
    if dialect.is_async:
        raise UnsupportedSchemeError(
            f"{target.drivername} is an asyncio driver and tio.db gives synchronous engines; "
            "drop the +driver part to use the default one"
        )
    try:
        engine = sqlalchemy.create_engine(target, **engine_options)
    except ImportError:
        backend = target.get_backend_name()
        package = driver_package(dialect.driver)
        raise BackendNotInstalledError(f"{backend} databases", package) from None
    _log.debug("new engine for %s", engine.url)
    return engine


class Database:
    """A client on one database: ``query``, ``execute``, ``transaction``, pandas helpers.

    The client holds one pooled connection from its first statement until :meth:`close` (or the
    end of its ``with`` block), so session state (temporary tables, ``SET``) lasts across calls.
    Every ``query``/``execute`` outside :meth:`transaction` ends in a commit, so a ``query``
    followed by an ``execute`` never finds a transaction already begun. Closing returns the
    connection to the pool; the cached engine stays. A client is not thread-safe; engines are.
    """

    def __init__(self, engine: Engine, request: URL, engine_options: Mapping[str, Any]) -> None:
        self._engine = engine
        self._request = request
        self._engine_options = dict(engine_options)
        self._connection: Connection | None = None
        self._in_transaction = False
        self._errors = _Translated(engine.url)

    @property
    def engine(self) -> Engine:
        """The pooled engine, for ``pd.read_sql`` and ``df.to_sql``."""
        return self._engine

    def query(self, sql: str, **params: Any) -> Sequence[Row[Any]]:
        """The rows of ``sql`` with ``:name`` placeholders bound to ``params`` (attribute,
        index and ``row._mapping`` access); an empty list for a statement without rows."""
        return self._run(lambda connection: _rows(connection.execute(sqlalchemy.text(sql), params)))

    def execute(self, sql: str, **params: Any) -> int:
        """Run ``sql`` with bound ``params`` and commit (unless in :meth:`transaction`);
        return the driver's row count."""
        return self._run(
            lambda connection: connection.execute(sqlalchemy.text(sql), params).rowcount
        )

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """Group statements: all committed at the end of the block, or all rolled back on an
        exception. Yields this client; its ``query``/``execute`` run inside the transaction."""
        if self._in_transaction:
            raise DatabaseError("a transaction is already open on this client; finish it first")
        with self._errors, self._connect().begin():
            self._in_transaction = True
            try:
                yield self
            finally:
                self._in_transaction = False

    def get_df(self, sql: str, **params: Any) -> pd.DataFrame:
        """The result of ``sql`` as a pandas DataFrame (pandas is needed only here)."""
        pandas = _import_pandas()
        return self._run(
            lambda connection: pandas.read_sql(sqlalchemy.text(sql), connection, params=params)
        )

    def dump_df(
        self,
        df: pd.DataFrame,
        table: str,
        *,
        if_exists: Literal["fail", "replace", "append"] = "fail",
        index: bool = False,
        **to_sql_options: Any,
    ) -> int | None:
        """Write ``df`` to ``table`` (``DataFrame.to_sql``; index left out unless asked)."""
        _import_pandas()
        return self._run(
            lambda connection: df.to_sql(
                table, connection, if_exists=if_exists, index=index, **to_sql_options
            )
        )

    def close(self) -> None:
        """Return the connection to the pool (the engine stays cached); the client may be used
        again and then takes a new connection."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with self._errors:
                connection.close()

    def _run(self, work: Callable[[Connection], T]) -> T:
        """``work`` on the client's connection, committed after unless a transaction is open."""
        with self._errors:
            connection = self._connect()
            if self._in_transaction:
                return work(connection)
            try:
                value = work(connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
            return value

    def _connect(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = self._engine.connect()
        return self._connection

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self._engine.url.render_as_string(hide_password=True)!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # No secret in a pickle: the request URL drops its password when pickled, and the
        # receiving process resolves credentials from its own secrets.
        return (_reopen, (self._request, self._engine_options))


def _reopen(request: URL, engine_options: dict[str, Any]) -> Database:
    return db(request, **engine_options)


def _import_pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise BackendNotInstalledError("DataFrame helpers", "pandas") from None
    return pandas


def _rows(result: CursorResult[Any]) -> Sequence[Row[Any]]:
    return result.all() if result.returns_rows else []


class _Translated:
    """A ``with`` block in which SQLAlchemy and driver errors become :class:`DatabaseError`,
    without the password. A class rather than a generator: it runs on every statement."""

    __slots__ = ("_target",)

    def __init__(self, target: SQLAlchemyURL) -> None:
        self._target = target

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # StatementError covers DBAPIError (refused logins, SQL errors) and unbound parameters.
        if isinstance(error, exc.StatementError):
            raise DatabaseError(_describe(self._target, error)) from None


def _describe(target: SQLAlchemyURL, error: exc.StatementError) -> str:
    cause = str(error.orig if error.orig is not None else error).strip()
    message = f"{location(target)}: {cause}"
    if error.statement:
        message += f" [SQL: {error.statement}]"
    return hide_password(message, target.password)
