"""8. Databases: 1,000 ``with tio.db(url): query("select 1")`` blocks against a raw SQLAlchemy
engine, on SQLite and PostgreSQL (127.0.0.1:5432, trust auth; skipped with the reason if down).

The per-block functions come from :mod:`bench.db_overhead` when it is there. Ours resolves
through the default store (the bench's secrets file in force), as a program would.
"""

from __future__ import annotations

import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import Options, Row

SECTION = "8 databases"
TARGET = 0.9
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _functions() -> tuple[Callable[..., None], Callable[..., None]]:
    try:
        from .db_overhead import ours, raw
    except ImportError:
        import sqlalchemy

        import tentaclio_fs as tio

        def ours(url: str, store: Any) -> None:
            with tio.db(url, store=store) as client:
                client.query("select 1")

        def raw(engine: Any) -> None:
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text("select 1")).all()

    return ours, raw


def best_of(repeats: int, blocks: int, block: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(blocks):
            block()
        best = min(best, time.perf_counter() - start)
    return best


def postgres_down() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError as error:
        return f"no PostgreSQL on 127.0.0.1:5432 ({error.strerror or error})"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return ""


def measure(label: str, url: str, blocks: int, repeats: int) -> Row:
    import sqlalchemy

    from tentaclio_fs.db_url import sqlalchemy_url
    from tentaclio_fs.secrets import default_store
    from tentaclio_fs.urls import URL

    ours, raw = _functions()
    store = default_store()
    engine = sqlalchemy.create_engine(sqlalchemy_url(URL.parse(url)))
    try:
        ours(url, store)
        raw(engine)
        raw_time = our_time = float("inf")
        for _ in range(repeats):  # interleaved
            raw_time = min(raw_time, best_of(1, blocks, lambda: raw(engine)))
            our_time = min(our_time, best_of(1, blocks, lambda: ours(url, store)))
    finally:
        engine.dispose()
    ratio = raw_time / our_time
    return Row(
        SECTION,
        f"{label}: {blocks:,} x with tio.db(url): query('select 1')",
        f"{our_time / blocks * 1e6:,.0f} us/block",
        f"raw engine {raw_time / blocks * 1e6:,.0f} us/block",
        ratio,
        f">= {TARGET} (raw/ours)",
        ratio >= TARGET,
    )


def run(options: Options) -> list[Row]:
    blocks = 50 if options.quick else 1000
    repeats = 1 if options.quick else 5
    rows = []
    with tempfile.TemporaryDirectory(prefix="tentaclio-bench-db-") as folder:
        rows.append(measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", blocks, repeats))
    reason = postgres_down()
    if reason:
        rows.append(Row(SECTION, "postgresql", f"skipped ({reason})"))
    else:
        try:
            rows.append(measure("postgresql", POSTGRES, blocks, repeats))
        except Exception as error:  # noqa: BLE001 - a database problem is a row, not a crash
            rows.append(Row(SECTION, "postgresql", f"skipped ({type(error).__name__}: {error})"))
    return rows
