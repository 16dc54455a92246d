"""Benchmarks of tentaclio_fs against the raw backends, its ancestor and the machine's limits.

Run ``python -m bench`` (``--quick`` to prove they still work, ``--size``, ``--only``). They are
measurements, not tests: nothing here fails on a number; the table says whether each target is
met. This module stays standard-library only: the ancestor's venv imports ``bench`` too.
"""

from __future__ import annotations

import dataclasses
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

MiB = 2**20
CHUNK = 8 * MiB


@dataclasses.dataclass
class Options:
    """What the command line asked for."""

    size_mib: int = 256
    quick: bool = False
    big_mib: int = 1024  # the memory cases' large size

    @property
    def repeats(self) -> int:
        return 1 if self.quick else 3

    @property
    def size(self) -> int:
        return self.size_mib * MiB


@dataclasses.dataclass
class Row:
    """One line of the final table."""

    section: str
    case: str
    ours: str
    reference: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "-"
        return "yes" if self.met else "NO"


def mb_per_s(size: int, seconds: float) -> float:
    """Decimal megabytes per second (what network and disk tools print)."""
    return size / seconds / 1e6 if seconds > 0 else float("inf")


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} MB/s"


def fmt_mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} MiB"


def fmt_us(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} us"


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} ms"


def timed(work: Callable[[], Any]) -> float:
    """Seconds one call of ``work`` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_chunks(stream: Any, size: int, chunk: bytes) -> None:
    """Write ``size`` bytes to ``stream`` in ``len(chunk)`` pieces (the last one shorter)."""
    left = size
    while left > 0:
        piece = chunk if left >= len(chunk) else chunk[:left]
        stream.write(piece)
        left -= len(piece)


def read_all(stream: Any, chunk_size: int = CHUNK) -> int:
    """Read ``stream`` to its end in ``chunk_size`` reads; the number of bytes read."""
    total = 0
    while True:
        data = stream.read(chunk_size)
        if not data:
            return total
        total += len(data)


def maxrss_mib() -> float:
    """This process's peak resident set, in MiB: VmHWM, which starts afresh at exec.

    ``ru_maxrss`` would not do: Linux carries it across fork and exec, so a child started by a
    big parent reports the parent's peak as its own (every case read +0 MiB that way).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def url_of(config: dict[str, Any], scheme: str, name: str) -> str:
    if scheme == "file":
        return f"{config['local']['root']}/{name}"
    if scheme in ("ftp", "sftp"):
        return f"{scheme}://{config[scheme]['host']}:{config[scheme]['port']}/{name}"
    if scheme == "s3":
        return f"s3://{config['s3']['bucket']}/{name}"
    return f"{config['http']['base_url']}/{name}"
