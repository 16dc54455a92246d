"""``python -m bench``: run the benchmarks and print one table.

Options: ``--size MiB`` (the large file, default 256), ``--big-size MiB`` (the memory cases'
second size, default 1024), ``--quick`` (tiny sizes, one iteration: proves every section still
works end to end), ``--only SECTION[,SECTION]``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import Options, Row

SECTIONS = (
    "imports",
    "resolution",
    "throughput",
    "limits",
    "small_files",
    "memory",
    "ancestor",
    "databases",
)
NEEDS_SERVERS = {"throughput", "limits", "small_files", "memory", "ancestor"}


def parse(argv: list[str] | None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=None, help="MiB of the large file (256)")
    parser.add_argument("--big-size", type=int, default=None, help="MiB, memory cases (1024)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one iteration")
    parser.add_argument(
        "--only", default="", help="comma-separated sections: " + ", ".join(SECTIONS)
    )
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    size = args.size if args.size is not None else (8 if args.quick else 256)
    big = args.big_size if args.big_size is not None else (16 if args.quick else 1024)
    return Options(size_mib=size, quick=args.quick, big_mib=big), chosen


def section_runner(name: str, servers: Any, options: Options, results: dict[str, Any]) -> Any:
    from . import (
        ancestor,
        databases,
        imports,
        limits,
        memory,
        resolution,
        small_files,
        throughput,
    )

    runners: dict[str, Callable[[], list[Row]]] = {
        "imports": lambda: imports.run(options),
        "resolution": lambda: resolution.run(options, results),
        "throughput": lambda: throughput.run(servers, options, results),
        "limits": lambda: limits.run(servers, options, results),
        "small_files": lambda: small_files.run(servers, options, results),
        "memory": lambda: memory.run(servers, options, results),
        "ancestor": lambda: ancestor.run(servers, options, results),
        "databases": lambda: databases.run(options),
    }
    return runners[name]


def render(rows: list[Row]) -> str:
    header = ("section", "case", "ours", "raw / reference", "ratio", "target", "met?", "note")
    lines = [
        (
            row.section,
            row.case,
            row.ours,
            row.reference,
            "" if row.ratio is None else f"{row.ratio:.2f}",
            row.target,
            row.verdict,
            row.note,
        )
        for row in rows
    ]
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(cells) for cells in lines)])


def main(argv: list[str] | None = None) -> int:
    options, chosen = parse(argv)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    rows: list[Row] = []
    servers = None
    try:
        for name in SECTIONS:
            if name not in chosen:
                continue
            if name in NEEDS_SERVERS and servers is None:
                # Started after imports and resolution, whose timings they would disturb.
                from .servers import Servers

                print("starting the loopback servers ...", file=sys.stderr, flush=True)
                servers = Servers().start()
            clock = time.perf_counter() - started
            print(f"[{clock:6.1f} s] {name} ...", file=sys.stderr, flush=True)
            try:
                rows.extend(section_runner(name, servers, options, results)())
            except Exception as error:  # noqa: BLE001 - one broken section must not hide the rest
                traceback.print_exc(file=sys.stderr)
                rows.append(Row(name, "ERROR", f"{type(error).__name__}: {error}"[:200]))
    finally:
        if servers is not None:
            servers.stop()
    elapsed = time.perf_counter() - started
    missed = [row for row in rows if row.met is False]
    errors = [row for row in rows if row.case == "ERROR"]
    print()
    print(
        f"tentaclio_fs benchmarks, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.machine()}"
    )
    mode = "quick" if options.quick else "full"
    print(
        f"mode {mode}, size {options.size_mib} MiB, memory sizes {options.size_mib} and "
        f"{options.big_mib} MiB, best of {options.repeats}, took {elapsed:.0f} s"
    )
    print()
    print(render(rows))
    print()
    print(
        f"{sum(row.met is True for row in rows)} targets met, {len(missed)} missed, "
        f"{len(errors)} section errors"
    )
    # Benchmarks report; they do not fail on a number. A broken section is a failure.
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
