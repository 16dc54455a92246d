"""2. Peak memory: ``tio.copy`` SFTP to S3 and a read, at the run's size and at 1 GiB.

Each case runs in a fresh interpreter (:mod:`bench.memory_child`) whose peak RSS at the end
is compared with its own baseline after imports; the parent's RSS would be polluted by
everything before it. The raw backends doing the same job are the reference.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from . import MiB, Options, Row, fmt_mib
from .servers import Servers
from .throughput import make_chunk, remove, write_chunks

SECTION = "2 memory"
TARGET_MIB = 100.0


def run_child(servers: Servers, *args: str) -> dict[str, Any]:
    config = str(servers.workdir / "servers.json")
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory_child", config, *args],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"memory child {args} failed: {tail[0]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sizes(options: Options) -> list[int]:
    return sorted({options.size_mib, options.big_mib})


def place_on_sftp(servers: Servers, name: str, size: int, chunk: bytes) -> None:
    path = servers.disk_path("sftp", name)
    assert path is not None
    if not (path.exists() and path.stat().st_size == size):
        with open(path, "wb") as stream:
            write_chunks(stream, size, chunk)


def run(servers: Servers, options: Options, results: dict[str, Any]) -> list[Row]:
    chunk = make_chunk()
    measured: dict[tuple[str, int, str], dict[str, Any]] = {}
    for mib in sizes(options):
        source = f"mem-{mib}.bin"
        place_on_sftp(servers, source, mib * MiB, chunk)
        copies = {variant: f"mem-{mib}-{variant}.bin" for variant in ("raw", "tio")}
        # The raw reference at the smaller size only: the 1 GiB raw runs cost two minutes.
        variants = ("raw", "tio") if mib == min(sizes(options)) else ("tio",)
        for variant in variants:
            measured["copy sftp->s3", mib, variant] = run_child(
                servers, "copy", variant, f"sftp:{source}", f"s3:{copies[variant]}"
            )
        source_s3 = copies[variants[0]]
        for variant in variants:
            measured["read s3", mib, variant] = run_child(
                servers, "read", variant, f"s3:{source_s3}", "-"
            )
        for variant in variants:
            remove(servers, "s3", copies[variant])
        for variant in variants:
            measured["read sftp", mib, variant] = run_child(
                servers, "read", variant, f"sftp:{source}", "-"
            )
        remove(servers, "sftp", source)
    results["memory"] = {
        key: value["peak_mib"] - value["baseline_mib"] for key, value in measured.items()
    }
    rows = []
    for case in ("copy sftp->s3", "read s3", "read sftp"):
        for mib in sizes(options):
            ours, raw = measured[case, mib, "tio"], measured.get((case, mib, "raw"))
            delta = ours["peak_mib"] - ours["baseline_mib"]
            reference = (
                f"raw +{fmt_mib(raw['peak_mib'] - raw['baseline_mib'])}"
                if raw
                else "(raw measured at the smaller size)"
            )
            rows.append(
                Row(
                    SECTION,
                    f"{case} {mib} MiB, peak above baseline",
                    f"+{fmt_mib(delta)}",
                    reference,
                    None,
                    f"<= +{TARGET_MIB:.0f} MiB",
                    delta <= TARGET_MIB,
                    f"baseline {ours['baseline_mib']:.0f} MiB, {ours['seconds']:.1f} s",
                )
            )
    return rows
