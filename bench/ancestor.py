"""3. The ancestor: tentaclio 1.6.1 (with tentaclio-s3) doing the same reads, writes and copies,
in a venv of its own (``BENCH_ANCESTOR_VENV``, default /tmp/bench-ancestor-venv), never in the
bench's. A full run installs it there when missing; ``--quick`` uses it only if it is there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import MiB, Options, Row, fmt_mib, fmt_rate
from .servers import Servers

SECTION = "3 ancestor"
VERSION = "1.6.1"
VENV = Path(os.environ.get("BENCH_ANCESTOR_VENV", "/tmp/bench-ancestor-venv"))
REPO = Path(__file__).resolve().parent.parent

_state: dict[str, Any] = {}


def _python() -> Path:
    return VENV / "bin" / "python"


def _path_dir() -> Path:
    """A folder holding only a link to ``bench``: the ancestor's child needs ``bench`` (standard
    library only) but must not see ``tentaclio_fs``, which tentaclio 1.6.1 would import as a
    plugin (it imports every ``tentaclio_*`` module on ``sys.path``) and fail on (no fsspec)."""
    folder = Path(tempfile.gettempdir()) / f"tentaclio-bench-path-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    link = folder / "bench"
    if not link.exists():
        link.symlink_to(REPO / "bench", target_is_directory=True)
    return folder


def _importable() -> bool:
    if not _python().exists():
        return False
    check = subprocess.run(
        [str(_python()), "-c", "import tentaclio, tentaclio_s3; print(tentaclio.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(_path_dir()),
    )
    return check.returncode == 0 and check.stdout.strip() == VERSION


def _install() -> str:
    """Install tentaclio 1.6.1 into the ancestor venv; an empty string, or why it failed."""
    index = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "tentaclio"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if index.returncode != 0 or VERSION not in index.stdout:
        return f"tentaclio {VERSION} not found on the package index"
    if not _python().exists():
        base = getattr(sys, "_base_executable", sys.executable)
        made = subprocess.run([base, "-m", "venv", "--clear", str(VENV)], capture_output=True)
        if made.returncode != 0:
            return f"could not create {VENV}"
    install = subprocess.run(
        [str(_python()), "-m", "pip", "install", "-q", f"tentaclio=={VERSION}", "tentaclio-s3"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if install.returncode != 0:
        lines = [line for line in install.stderr.splitlines() if "ERROR" in line]
        return "pip install failed: " + (lines[-1] if lines else "see pip's output")
    return ""


def availability(options: Options) -> tuple[bool, str]:
    """(usable, reason when not), decided once per run."""
    if "available" not in _state:
        if _importable():
            _state["available"], _state["reason"] = True, ""
        elif options.quick:
            _state["available"] = False
            _state["reason"] = f"skipped in --quick: {VENV} has no tentaclio {VERSION}"
        else:
            reason = _install()
            ok = not reason and _importable()
            _state["available"] = ok
            _state["reason"] = reason or ("" if ok else "installed but does not import")
    return _state["available"], _state["reason"]


def run_child(*args: str, env: dict[str, str] | None = None, timeout: int = 3600) -> Any:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TENTACLIO__")}
    environment.update(env or {})
    environment["PYTHONPATH"] = str(_path_dir())
    done = subprocess.run(
        [str(_python()), "-m", "bench.ancestor_child", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        cwd=str(_path_dir()),
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"ancestor child {args[0]} failed: {tail[0][:200]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def resolution(
    options: Options, counts: list[int], iterations: int, folder: Path
) -> tuple[dict[int, tuple[float, float]], str]:
    """The ancestor's median and p99 (us) per secret count, for :mod:`bench.resolution`."""
    from .resolution import build, request_url

    ok, reason = availability(options)
    if not ok:
        return {}, reason
    out = {}
    for count in counts:
        env = build(count, folder)
        result = run_child("resolve", request_url(count), str(iterations), env=env)
        out[count] = (result["median_us"], result["p99_us"])
    return out, ""


def _servers_env(servers: Servers) -> dict[str, str]:
    c = servers.config
    user, password = c["username"], c["password"]
    lines = [
        "secrets:",
        f"  ftp: ftp://{user}:{password}@{c['ftp']['host']}:{c['ftp']['port']}/",
        f"  sftp: sftp://{user}:{password}@{c['sftp']['host']}:{c['sftp']['port']}/",
        f"  s3: s3://{c['s3']['key']}:{password}@{c['s3']['bucket']}/",
        f"  http: http://{user}:{password}@{c['http']['base_url'].split('://', 1)[1]}/",
    ]
    path = servers.workdir / "ancestor-secrets.yml"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return {
        "TENTACLIO__SECRETS_FILE": str(path),
        "AWS_ENDPOINT_URL_S3": c["s3"]["endpoint_url"],
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def run(servers: Servers, options: Options, results: dict[str, Any]) -> list[Row]:
    from .memory import place_on_sftp, sizes
    from .throughput import READABLE, ensure_read_source, make_chunk, remove

    ok, reason = availability(options)
    if not ok:
        return [Row(SECTION, f"tentaclio {VERSION}", f"not available ({reason})")]
    env = _servers_env(servers)
    config = str(servers.workdir / "servers.json")
    chunk = make_chunk()
    ensure_read_source(servers, "http", "tp-raw.bin", options.size, chunk)
    ensure_read_source(servers, "sftp", "anc-src.bin", options.size, chunk)
    # One run each: the ancestor is slow, and its best of 3 would not change the picture.
    old = run_child("throughput", config, str(options.size_mib), "1", env=env)
    ours = results.get("throughput", {})
    rows = []
    for scheme in READABLE:
        for direction in ("write", "read"):
            if scheme == "http" and direction == "write":
                continue
            mine = ours.get((scheme, direction, "tio"))
            theirs = old[scheme].get(direction)
            reference = (
                f"1.6.1 {fmt_rate(theirs)}"
                if theirs is not None
                else f"1.6.1 failed: {old[scheme].get('error', '?')}"
            )
            note = ""
            if direction == "write" and old[scheme].get("write_mib", options.size_mib) != (
                options.size_mib
            ):
                note = f"1.6.1 wrote {old[scheme]['write_mib']} MiB (too slow for more)"
            if theirs is None and scheme == "http":
                note = "1.6.1's HTTPClient._fetch_url drops the URL's port"
            rows.append(
                Row(
                    SECTION,
                    f"{scheme} {direction} {options.size_mib} MiB, MB/s",
                    fmt_rate(mine) if mine is not None else "n/a (throughput not run)",
                    reference,
                    mine / theirs if mine is not None and theirs else None,
                    "(ours / 1.6.1)",
                    note=note,
                )
            )
    remove(servers, "http", "tp-raw.bin")
    remove(servers, "sftp", "anc-src.bin")
    memory = results.get("memory", {})
    # --quick only proves the cases run: one size is enough.
    for mib in sizes(options)[:1] if options.quick else sizes(options):
        source = f"anc-mem-{mib}.bin"
        place_on_sftp(servers, source, mib * MiB, chunk)
        cases = (
            ("copy sftp->s3", ("memory", config, "copy", f"sftp:{source}", f"s3:{source}")),
            ("read s3", ("memory", config, "read", f"s3:{source}", "-")),
        )
        for case, args in cases:
            try:
                result = run_child(*args, env=env)
                delta: float | None = result["peak_mib"] - result["baseline_mib"]
                reference = f"1.6.1 +{fmt_mib(delta)} ({result['seconds']:.1f} s)"
            except RuntimeError as error:
                delta, reference = None, f"1.6.1 failed: {error}"
            mine = memory.get((case, mib, "tio"))
            rows.append(
                Row(
                    SECTION,
                    f"{case} {mib} MiB, peak above baseline",
                    f"+{fmt_mib(mine)}" if mine is not None else "n/a (memory not run)",
                    reference,
                    mine / delta if mine is not None and delta else None,
                    "(ours / 1.6.1)",
                )
            )
        remove(servers, "s3", source)
        remove(servers, "sftp", source)
    return rows
