"""6. Resolution: one URL among 10, 1,000 and 10,000 secrets, half in the environment and
half in a YAML file; median and p99 in microseconds.

Three ways: ``SecretStore(env_dict).resolve(URL.parse(url))`` (a dict environment), the
default store through ``tio.authenticate`` with the secrets really in ``os.environ`` (that path
compares the environment on each call, to notice changes), and tentaclio 1.6.1's
``authenticate`` in its own venv (:mod:`bench.ancestor`).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import Options, Row, fmt_us, median, percentile

SECTION = "6 resolution"
TARGET_US = 50.0
FLAT = 2.0  # median at the largest count over median at the smallest
SCHEMES = ("sftp", "ftp", "s3", "postgresql")


def secret_url(i: int) -> str:
    scheme = SCHEMES[(i // 2) % len(SCHEMES)]
    host = f"bucket-{i}" if scheme == "s3" else f"host{i}.example.com"
    path = "/warehouse" if scheme == "postgresql" else f"/data{i % 7}/"
    return f"{scheme}://user{i}:pw{i}@{host}{path}"


def request_url(count: int) -> str:
    """A request matching one sftp secret of the file half, in the middle of the pack."""
    i = 2 * len(SCHEMES) * (count // (4 * len(SCHEMES))) + 1
    return f"sftp://host{i}.example.com/data{i % 7}/incoming/readings.csv"


def build_file_only(count: int, folder: Path) -> dict[str, str]:
    """All ``count`` secrets in the file; the environment holds only its name."""
    lines = ["secrets:"] + [f"  s{i}: {secret_url(i)}" for i in range(count)]
    path = folder / f"secrets-file-only-{count}.yml"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return {"TENTACLIO__SECRETS_FILE": str(path)}


def build(count: int, folder: Path) -> dict[str, str]:
    """Environment variables for ``count`` secrets: even ones as variables, odd ones in a file.

    The file uses the URL-string form, which tentaclio 1.6.1 reads too.
    """
    env: dict[str, str] = {}
    lines = ["secrets:"]
    for i in range(count):
        if i % 2 == 0:
            env[f"TENTACLIO__CONN__S{i}"] = secret_url(i)
        else:
            lines.append(f"  s{i}: {secret_url(i)}")
    path = folder / f"secrets-{count}.yml"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    env["TENTACLIO__SECRETS_FILE"] = str(path)
    return env


def sample(call: Callable[[], Any], iterations: int) -> tuple[float, float]:
    """(median, p99) in microseconds of ``iterations`` calls, after one warm-up call."""
    call()
    clock = time.perf_counter_ns
    timings = []
    for _ in range(iterations):
        start = clock()
        call()
        timings.append((clock() - start) / 1000)
    return median(timings), percentile(timings, 0.99)


def measure_ours(counts: list[int], iterations: int, folder: Path) -> dict[str, dict[int, Any]]:
    from tentaclio_fs import authenticate
    from tentaclio_fs.secrets import SecretStore
    from tentaclio_fs.urls import URL

    out: dict[str, dict[int, Any]] = {"store": {}, "environ": {}}
    for count in counts:
        env = build(count, folder)
        url = request_url(count)
        store = SecretStore(env)
        assert store.resolve(URL.parse(url)).match is not None, "the request must match"
        out["store"][count] = sample(lambda s=store, u=url: s.resolve(URL.parse(u)), iterations)
        only_file = SecretStore(build_file_only(count, folder))
        out.setdefault("file", {})[count] = sample(
            lambda s=only_file, u=url: s.resolve(URL.parse(u)), iterations
        )
        saved = {name: os.environ.get(name) for name in env}
        try:
            os.environ.update(env)
            out["environ"][count] = sample(lambda u=url: authenticate(u), iterations)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return out


def counts_for(options: Options) -> list[int]:
    return [10, 1000, 10000]


def run(options: Options, results: dict[str, Any]) -> list[Row]:
    from . import ancestor

    counts = counts_for(options)
    iterations = 300 if options.quick else 20000
    with tempfile.TemporaryDirectory(prefix="tentaclio-bench-res-") as name:
        folder = Path(name)
        ours = measure_ours(counts, iterations, folder)
        old, reason = ancestor.resolution(options, counts, max(iterations // 4, 100), folder)
    rows = []
    for count in counts:
        med, p99 = ours["store"][count]
        ref = "tentaclio 1.6.1 " + (
            f"median {fmt_us(old[count][0])}, p99 {fmt_us(old[count][1])}"
            if old
            else f"not available ({reason})"
        )
        rows.append(
            Row(
                SECTION,
                f"SecretStore.resolve, {count:,} secrets",
                f"median {fmt_us(med)}, p99 {fmt_us(p99)}",
                ref,
                med / old[count][0] if old else None,
                f"median < {TARGET_US:.0f} us",
                med < TARGET_US,
            )
        )
    for key, label in (
        ("file", "SecretStore.resolve, {:,} secrets all in the file"),
        ("environ", "tio.authenticate (os.environ), {:,} secrets"),
    ):
        for count in counts:
            med, p99 = ours[key][count]
            rows.append(
                Row(
                    SECTION,
                    label.format(count),
                    f"median {fmt_us(med)}, p99 {fmt_us(p99)}",
                    "",
                    None,
                    f"median < {TARGET_US:.0f} us",
                    med < TARGET_US,
                )
            )
    kinds = (
        ("store", "SecretStore.resolve"),
        ("file", "SecretStore.resolve, file only,"),
        ("environ", "tio.authenticate"),
    )
    for kind, label in kinds:
        low, high = ours[kind][counts[0]][0], ours[kind][counts[-1]][0]
        rows.append(
            Row(
                SECTION,
                f"{label} flatness: median {counts[-1]:,} / {counts[0]:,} secrets",
                f"{high / low:.2f}x",
                "",
                None,
                f"<= {FLAT:.0f}x",
                high / low <= FLAT,
            )
        )
    if old:
        rows.append(
            Row(
                SECTION,
                f"tentaclio 1.6.1 flatness: median {counts[-1]:,} / {counts[0]:,} secrets",
                f"{old[counts[-1]][0] / old[counts[0]][0]:.2f}x",
                "(the ancestor; for reference)",
            )
        )
    return rows
