"""1. Throughput: one large file written and read through ``tio.open``, through
``fsspec.open("tentaclio::...")`` and through the raw backend, side by side.

Runs are interleaved (raw, tio, fsspec, raw, ...) and each variant keeps its best of N, which
filters out the noise of two cores shared with the servers. Writes go in 8 MiB chunks, reads in
8 MiB reads. The raw backend gets the servers' own credentials (:mod:`bench.servers`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

import fsspec

import tentaclio_fs as tio

from . import CHUNK, Options, Row, fmt_rate, mb_per_s, read_all, timed, write_chunks
from .servers import Servers

SECTION = "1 throughput"
TARGET = 0.97
WRITABLE = ("file", "ftp", "sftp", "s3")
READABLE = ("file", "ftp", "sftp", "s3", "http")
VARIANTS = ("raw", "tio", "fsspec")


def _opener(variant: str, servers: Servers, scheme: str, name: str, mode: str) -> Callable[[], Any]:
    if variant == "raw":
        fs, path = servers.raw(scheme)
        return lambda: fs.open(path(name), mode)
    if variant == "tio":
        return lambda: tio.open(servers.url(scheme, name), mode)
    return lambda: fsspec.open("tentaclio::" + servers.url(scheme, name), mode)


def settle() -> None:
    """Flush dirty pages before a timed run, so one run's writeback does not slow the next."""
    os.sync()


def write_file(opener: Callable[[], Any], size: int, chunk: bytes) -> None:
    with opener() as stream:
        write_chunks(stream, size, chunk)


def read_file(opener: Callable[[], Any], size: int) -> None:
    with opener() as stream:
        got = read_all(stream)
    if got != size:
        raise RuntimeError(f"read {got} bytes, expected {size}")


def make_chunk() -> bytes:
    return os.urandom(CHUNK)  # random: nothing on the way can compress it


def ensure_read_source(servers: Servers, scheme: str, name: str, size: int, chunk: bytes) -> None:
    """Put a ``size``-byte file called ``name`` on the backend (on disk where a server serves
    a folder; through the raw backend for S3)."""
    disk = servers.disk_path(scheme, name)
    if disk is not None:
        if disk.exists() and disk.stat().st_size == size:
            return
        disk.parent.mkdir(parents=True, exist_ok=True)
        with open(disk, "wb") as stream:
            write_chunks(stream, size, chunk)
        return
    fs, path = servers.raw(scheme)
    if fs.exists(path(name)) and fs.size(path(name)) == size:
        return
    write_file(lambda: fs.open(path(name), "wb"), size, chunk)


def remove(servers: Servers, scheme: str, name: str) -> None:
    disk = servers.disk_path(scheme, name)
    if disk is not None:
        disk.unlink(missing_ok=True)
        return
    fs, path = servers.raw(scheme)
    if fs.exists(path(name)):
        fs.rm_file(path(name))


def measure(
    servers: Servers, options: Options, results: dict[str, Any], chunk: bytes
) -> dict[tuple[str, str, str], float]:
    """Best MB/s per (scheme, direction, variant)."""
    size = options.size
    best: dict[tuple[str, str, str], float] = {}
    for scheme in READABLE:
        if scheme in WRITABLE:
            names = {variant: f"tp-{variant}.bin" for variant in VARIANTS}
            times: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
            for _ in range(options.repeats):
                for variant in VARIANTS:
                    opener = _opener(variant, servers, scheme, names[variant], "wb")
                    settle()
                    times[variant].append(timed(lambda o=opener: write_file(o, size, chunk)))
            for variant in VARIANTS:
                best[scheme, "write", variant] = mb_per_s(size, min(times[variant]))
                if variant != "raw":
                    remove(servers, scheme, names[variant])
            source = names["raw"]
        else:
            source = "tp-raw.bin"
            local = servers.disk_path("file", source)
            http_disk = servers.disk_path(scheme, source)
            assert http_disk is not None
            if local is not None and local.exists() and local.stat().st_size == size:
                shutil.copyfile(local, http_disk)
        ensure_read_source(servers, scheme, source, size, chunk)
        times = {variant: [] for variant in VARIANTS}
        for _ in range(options.repeats):
            for variant in VARIANTS:
                opener = _opener(variant, servers, scheme, source, "rb")
                settle()
                times[variant].append(timed(lambda o=opener: read_file(o, size)))
        for variant in VARIANTS:
            best[scheme, "read", variant] = mb_per_s(size, min(times[variant]))
        if scheme != "file":  # the local copy serves the ancestor and the limits sections
            remove(servers, scheme, source)
    results["throughput"] = best
    return best


def run(servers: Servers, options: Options, results: dict[str, Any]) -> list[Row]:
    best = measure(servers, options, results, make_chunk())
    rows = []
    for scheme in READABLE:
        for direction in ("write", "read"):
            if (scheme, direction, "raw") not in best:
                continue
            raw = best[scheme, direction, "raw"]
            for variant, label in (("tio", "tio.open"), ("fsspec", "fsspec tentaclio::")):
                ours = best[scheme, direction, variant]
                ratio = ours / raw
                rows.append(
                    Row(
                        SECTION,
                        f"{scheme} {direction} {options.size_mib} MiB, {label}",
                        fmt_rate(ours),
                        f"raw {fmt_rate(raw)}",
                        ratio,
                        f">= {TARGET}",
                        ratio >= TARGET,
                    )
                )
    return rows
