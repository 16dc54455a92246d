"""4. The physical limit: the same bytes moved by the fastest plain tool on this machine.

A local ``cp`` of the file (caches left as they are) against ``tio.copy`` of the same file, and
a raw socket copy over 127.0.0.1 (a thread sends 8 MiB chunks, the receiver discards them)
against our reads over each network backend.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from typing import Any

import tentaclio_fs as tio

from . import CHUNK, Options, Row, fmt_rate, mb_per_s, timed
from .servers import Servers
from .throughput import READABLE, ensure_read_source, make_chunk, read_file

SECTION = "4 limits"


def socket_copy(size: int, chunk: bytes) -> float:
    """Seconds to move ``size`` bytes through a loopback TCP connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received = [0]

    def receive() -> None:
        connection, _ = listener.accept()
        buffer = bytearray(CHUNK)
        with connection:
            while True:
                got = connection.recv_into(buffer)
                if not got:
                    break
                received[0] += got

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()

    def send() -> None:
        with socket.create_connection(("127.0.0.1", port)) as sender:
            left = size
            while left > 0:
                piece = chunk if left >= len(chunk) else chunk[:left]
                sender.sendall(piece)
                left -= len(piece)
        thread.join()

    seconds = timed(send)
    listener.close()
    if received[0] != size:
        raise RuntimeError(f"socket copy moved {received[0]} of {size} bytes")
    return seconds


def run(servers: Servers, options: Options, results: dict[str, Any]) -> list[Row]:
    size = options.size
    chunk = make_chunk()
    ensure_read_source(servers, "file", "tp-raw.bin", size, chunk)
    source = servers.url("file", "tp-raw.bin")
    copies = {"cp": servers.url("file", "lim-cp.bin"), "tio": servers.url("file", "lim-tio.bin")}
    best = {"cp": float("inf"), "tio": float("inf"), "socket": float("inf")}
    for _ in range(options.repeats):
        best["cp"] = min(
            best["cp"], timed(lambda: subprocess.run(["cp", source, copies["cp"]], check=True))
        )
        best["tio"] = min(best["tio"], timed(lambda: tio.copy(source, copies["tio"])))
        best["socket"] = min(best["socket"], socket_copy(size, chunk))
    for path in copies.values():
        subprocess.run(["rm", "-f", path], check=True)
    cp_rate, tio_rate = mb_per_s(size, best["cp"]), mb_per_s(size, best["tio"])
    socket_rate = mb_per_s(size, best["socket"])
    rows = [
        Row(
            SECTION,
            f"local copy {options.size_mib} MiB: tio.copy vs cp",
            fmt_rate(tio_rate),
            f"cp {fmt_rate(cp_rate)}",
            tio_rate / cp_rate,
            "(fraction of the limit)",
        ),
        Row(
            SECTION,
            f"loopback socket {options.size_mib} MiB (the network limit)",
            fmt_rate(socket_rate),
            "raw TCP, 8 MiB sends",
        ),
    ]
    ours = results.get("throughput")
    if not ours:
        # Throughput did not run: measure one FTP read, the fastest network backend.
        ensure_read_source(servers, "ftp", "tp-raw.bin", size, chunk)
        url = servers.url("ftp", "tp-raw.bin")
        seconds = timed(lambda: read_file(lambda: tio.open(url, "rb"), size))
        ours = {("ftp", "read", "tio"): mb_per_s(size, seconds)}
    for scheme in READABLE:
        for direction in ("read", "write"):
            rate = ours.get((scheme, direction, "tio"))
            if rate is None or scheme == "file":
                continue
            rows.append(
                Row(
                    SECTION,
                    f"{scheme} {direction} (tio.open) vs loopback socket",
                    fmt_rate(rate),
                    f"socket {fmt_rate(socket_rate)}",
                    rate / socket_rate,
                    "(fraction of the limit)",
                )
            )
    return rows
