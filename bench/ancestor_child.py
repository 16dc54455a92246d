"""The ancestor's side: tentaclio 1.6.1 measured in its own venv (never imports tentaclio_fs).

Usage, with ``PYTHONPATH`` at this repository so that ``bench`` (standard library only) imports:

- ``python -m bench.ancestor_child resolve URL ITERATIONS``: ``tentaclio.authenticate(URL)``
  with the secrets given by the environment the parent set.
- ``python -m bench.ancestor_child throughput SERVERS_JSON SIZE_MIB REPEATS``: write and read
  per backend through ``tentaclio.open``.
- ``python -m bench.ancestor_child memory SERVERS_JSON copy|read SOURCE DESTINATION``: one
  peak-memory case, as :mod:`bench.memory_child` does for ours.

The parent sets ``TENTACLIO__SECRETS_FILE`` (URL strings, the 1.6.1 format) and
``AWS_ENDPOINT_URL_S3`` (tentaclio-s3 has no endpoint option; boto reads it). Prints one JSON
line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import CHUNK, MiB, maxrss_mib, median, percentile, read_all, url_of, write_chunks

SCHEMES = ("file", "ftp", "sftp", "s3", "http")
SLOW_WRITE_CAP = 16 * MiB


def resolve(url: str, iterations: int) -> dict[str, Any]:
    from tentaclio.credentials import authenticate

    authenticate(url)  # loads the secrets (cached for the process by 1.6.1)
    timings = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        authenticate(url)
        timings.append((clock() - start) / 1000)
    return {"median_us": median(timings), "p99_us": percentile(timings, 0.99)}


def throughput(config: dict[str, Any], size_mib: int, repeats: int) -> dict[str, Any]:
    import tentaclio

    size = size_mib * MiB
    chunk = os.urandom(CHUNK)
    out: dict[str, Any] = {}
    for scheme in SCHEMES:
        result: dict[str, Any] = {}
        name = "anc-tp.bin"
        try:
            if scheme != "http":
                # 1.6.1's SFTP writes crawl (paramiko, unpipelined): a smaller file keeps the
                # run short, and the rate, not the size, is what is compared.
                written = min(size, SLOW_WRITE_CAP) if scheme == "sftp" else size
                best = float("inf")
                for _ in range(repeats):
                    start = time.perf_counter()
                    with tentaclio.open(url_of(config, scheme, name), "wb") as stream:
                        write_chunks(stream, written, chunk)
                    best = min(best, time.perf_counter() - start)
                result["write"] = written / best / 1e6
                result["write_mib"] = written // MiB
                if written != size:  # the parent put a full-size copy on the server's disk
                    tentaclio.remove(url_of(config, scheme, name))
                    name = "anc-src.bin"
            else:
                name = "tp-raw.bin"  # put on the server's disk by the parent
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                with tentaclio.open(url_of(config, scheme, name), "rb") as stream:
                    got = read_all(stream)
                best = min(best, time.perf_counter() - start)
                if got != size:
                    raise RuntimeError(f"read {got} bytes, expected {size}")
            result["read"] = size / best / 1e6
            if scheme not in ("http",) and name == "anc-tp.bin":
                tentaclio.remove(url_of(config, scheme, name))
        except Exception as error:  # noqa: BLE001 - reported in the table, not raised
            result["error"] = f"{type(error).__name__}: {str(error)[:120]}"
        out[scheme] = result
    return out


def memory(config: dict[str, Any], case: str, source: str, destination: str) -> dict[str, Any]:
    import tentaclio

    baseline = maxrss_mib()
    src_scheme, src_name = source.split(":", 1)
    start = time.perf_counter()
    if case == "copy":
        dst_scheme, dst_name = destination.split(":", 1)
        tentaclio.copy(url_of(config, src_scheme, src_name), url_of(config, dst_scheme, dst_name))
    else:
        with tentaclio.open(url_of(config, src_scheme, src_name), "rb") as stream:
            read_all(stream)
    seconds = time.perf_counter() - start
    return {"baseline_mib": baseline, "peak_mib": maxrss_mib(), "seconds": seconds}


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "resolve":
        result = resolve(argv[1], int(argv[2]))
    elif command == "throughput":
        config = json.loads(Path(argv[1]).read_text())
        result = throughput(config, int(argv[2]), int(argv[3]))
    elif command == "memory":
        config = json.loads(Path(argv[1]).read_text())
        result = memory(config, argv[2], argv[3], argv[4])
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
