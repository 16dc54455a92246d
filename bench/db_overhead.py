"""What ``with tio.db(url)`` costs over a raw SQLAlchemy engine (a measurement, not a test).

Each side runs 1,000 blocks of ``select 1``: ours resolves the URL through the secrets store,
finds the cached engine and checks a pooled connection out and back in; the raw side only checks
a connection out of an engine made once. A ratio raw_time/our_time near 1 means the resolver and
the cache are cheap next to a round trip.

Usage: python bench/db_overhead.py [--blocks N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy

import tentaclio_fs as tio
from tentaclio_fs.db_url import sqlalchemy_url
from tentaclio_fs.secrets import SecretStore
from tentaclio_fs.urls import URL

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"  # trust auth on this machine


def ours(url: str, store: SecretStore) -> None:
    with tio.db(url, store=store) as client:
        client.query("select 1")


def raw(engine: sqlalchemy.Engine) -> None:
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text("select 1")).all()


def timed(blocks: int, block: Callable[[], None]) -> float:
    """Seconds taken by ``blocks`` calls of ``block``."""
    start = time.perf_counter()
    for _ in range(blocks):
        block()
    return time.perf_counter() - start


def best_of(repeats: int, blocks: int, *sides: Callable[[], None]) -> list[float]:
    """The fastest run of each side; the sides alternate so that load on the machine hits both."""
    timings = [[timed(blocks, side) for side in sides] for _ in range(repeats)]
    return [min(run[index] for run in timings) for index in range(len(sides))]


def measure(label: str, url: str, blocks: int, repeats: int) -> None:
    store = SecretStore({})  # no secrets: the lookup still runs, as it would in production
    engine = sqlalchemy.create_engine(sqlalchemy_url(URL.parse(url)))
    ours(url, store)  # warm both: the first block makes the engine and the connection
    raw(engine)
    raw_time, our_time = best_of(repeats, blocks, lambda: raw(engine), lambda: ours(url, store))
    engine.dispose()
    overhead_us = (our_time - raw_time) / blocks * 1e6
    print(
        f"{label:<10} {blocks} blocks: raw {raw_time * 1e3:7.1f} ms,"
        f" tio.db {our_time * 1e3:7.1f} ms, per block {overhead_us:+6.1f} us,"
        f" raw/ours = {raw_time / our_time:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--postgres", default=POSTGRES)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite:///{Path(folder) / 'bench.db'}"
        measure("sqlite", sqlite, arguments.blocks, arguments.repeats)
    measure("postgresql", arguments.postgres, arguments.blocks, arguments.repeats)


if __name__ == "__main__":
    main()
