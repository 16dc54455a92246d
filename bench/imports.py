"""7. Import: ``python -c "import tentaclio_fs"`` against a bare ``python -c pass`` (best of N
fresh interpreters each), and which heavy modules a plain import, and a local read, bring in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from . import Options, Row, fmt_ms

SECTION = "7 import"
TARGET_MS = 100.0
HEAVY = ("pandas", "sqlalchemy", "botocore", "aiobotocore", "asyncssh", "s3fs", "sshfs", "aiohttp")
_LOCAL_READ = (
    "import tempfile, os, tentaclio_fs as tio\n"
    "d = tempfile.mkdtemp(); p = os.path.join(d, 'x.txt')\n"
    "with tio.open(p, 'w') as f: f.write('hi')\n"
    "assert tio.open(p).read() == 'hi'\n"
)


def best_of(code: str, repeats: int) -> float:
    """Seconds of the fastest of ``repeats`` fresh ``python -c code`` runs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def heavy_after(code: str) -> list[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    return [name for name in HEAVY if name in loaded]


def run(options: Options) -> list[Row]:
    repeats = 3 if options.quick else 15
    timings: dict[str, float] = {}
    for _ in range(repeats):  # interleaved, so a slow moment hits all three alike
        for label, code in (
            ("pass", "pass"),
            ("fsspec", "import fsspec"),
            ("tentaclio_fs", "import tentaclio_fs"),
        ):
            timings[label] = min(timings.get(label, float("inf")), best_of(code, 1))
    added = (timings["tentaclio_fs"] - timings["pass"]) * 1000
    fsspec_added = (timings["fsspec"] - timings["pass"]) * 1000
    rows = [
        Row(
            SECTION,
            f"import tentaclio_fs, added over python -c pass (best of {repeats})",
            f"+{fmt_ms(added)}",
            f"pass {fmt_ms(timings['pass'] * 1000)}; fsspec alone +{fmt_ms(fsspec_added)}",
            None,
            f"< +{TARGET_MS:.0f} ms",
            added < TARGET_MS,
        )
    ]
    for label, code in (
        ("after import tentaclio_fs", "import tentaclio_fs"),
        ("after a local write and read", _LOCAL_READ),
    ):
        found = heavy_after(code)
        rows.append(
            Row(
                SECTION,
                f"heavy modules {label}",
                ", ".join(found) or "none",
                f"checked: {', '.join(HEAVY)}",
                None,
                "none",
                not found,
            )
        )
    return rows
