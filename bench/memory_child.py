"""One peak-memory case, in a fresh interpreter (``python -m bench.memory_child ...``).

Usage: ``python -m bench.memory_child SERVERS_JSON CASE VARIANT SOURCE DESTINATION``, where CASE
is ``copy`` or ``read`` and VARIANT ``tio`` or ``raw``; SOURCE and DESTINATION are
``scheme:name`` pairs (DESTINATION ``-`` for a read). Everything either side may need is
imported first; the baseline is the peak RSS (VmHWM) after that, the peak is VmHWM at the end,
so connection setup counts against the case, as it would in a program. Prints one JSON line.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    config_path, case, variant, source, destination = argv
    config = json.loads(Path(config_path).read_text())

    import fsspec  # noqa: F401
    import s3fs  # noqa: F401
    import sshfs  # noqa: F401

    import tentaclio_fs as tio

    from . import CHUNK, maxrss_mib, read_all, url_of
    from .servers import raw_backend

    baseline = maxrss_mib()
    src_scheme, src_name = source.split(":", 1)
    start = time.perf_counter()
    moved = 0
    if case == "copy":
        dst_scheme, dst_name = destination.split(":", 1)
        if variant == "tio":
            tio.copy(url_of(config, src_scheme, src_name), url_of(config, dst_scheme, dst_name))
        else:
            src_fs, src_path = raw_backend(config, src_scheme)
            dst_fs, dst_path = raw_backend(config, dst_scheme)
            with (
                src_fs.open(src_path(src_name), "rb") as reader,
                dst_fs.open(dst_path(dst_name), "wb") as writer,
            ):
                shutil.copyfileobj(reader, writer, CHUNK)
    elif case == "read":
        if variant == "tio":
            with tio.open(url_of(config, src_scheme, src_name), "rb") as stream:
                moved = read_all(stream)
        else:
            fs, path = raw_backend(config, src_scheme)
            with fs.open(path(src_name), "rb") as stream:
                moved = read_all(stream)
    else:
        raise SystemExit(f"unknown case {case!r}")
    seconds = time.perf_counter() - start
    peak = maxrss_mib()
    print(
        json.dumps({"baseline_mib": baseline, "peak_mib": peak, "seconds": seconds, "bytes": moved})
    )


if __name__ == "__main__":
    main(sys.argv[1:])
