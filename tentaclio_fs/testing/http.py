"""A real, read-only HTTP file server with Basic auth on loopback.

It serves exactly what fsspec's HTTPFileSystem (aiohttp) relies on: GET, HEAD
with Content-Length, single ``Range: bytes=...`` requests answered with 206 and
Content-Range, HTML directory listings made of ``<a href>`` links (fsspec's
``ls`` scrapes them), and 404 for missing paths. It speaks HTTP/1.1 keep-alive
with exact Content-Length on every response, which aiohttp's pooled connections
need. Every request's Authorization header is recorded in ``seen_authorization``
and ``/redirect?to=<url>`` answers 302, so tests can prove where credentials
were (and were not) sent; ``seen_requests`` records (method, path, Range) so
tests can prove reads really were ranged.
"""

from __future__ import annotations

import base64
import hmac
import html
import mimetypes
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from ._base import LoopbackServer

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response sets Content-Length
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test output clean; seen_authorization is the audit trail

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        send_body: bool = True,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _serve(self, send_body: bool) -> None:
        owner = self.server.owner
        auth = self.headers.get("Authorization")
        split = urllib.parse.urlsplit(self.path)
        owner._record(self.command, self.path, auth, self.headers.get("Range"))
        if not (auth is not None and hmac.compare_digest(auth, owner.expected_authorization)):
            self._send(
                401,
                b"unauthorized\n",
                {"WWW-Authenticate": 'Basic realm="test"', "Content-Type": "text/plain"},
                send_body,
            )
            return
        if split.path == "/redirect":
            target = urllib.parse.parse_qs(split.query).get("to", [""])[0]
            if not target:
                self._send(400, b"missing ?to=\n", {"Content-Type": "text/plain"}, send_body)
                return
            self._send(302, b"", {"Location": target}, send_body)
            return
        target_path = owner.resolve(urllib.parse.unquote(split.path))
        if target_path is None or not target_path.exists():
            self._send(404, b"not found\n", {"Content-Type": "text/plain"}, send_body)
        elif target_path.is_dir():
            body = _listing(split.path, target_path)
            self._send(200, body, {"Content-Type": "text/html; charset=utf-8"}, send_body)
        else:
            self._serve_file(target_path, send_body)

    def _serve_file(self, path: Path, send_body: bool) -> None:
        size = path.stat().st_size
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = {"Content-Type": ctype, "Accept-Ranges": "bytes"}
        header = self.headers.get("Range")
        if header is None:
            self._send(200, _read(path, 0, size), headers, send_body)
            return
        match = _RANGE.match(header.strip())
        if match is None or match.group(1) == match.group(2) == "":
            # Multi-range or malformed: RFC 9110 allows ignoring Range entirely.
            self._send(200, _read(path, 0, size), headers, send_body)
            return
        first, last = match.group(1), match.group(2)
        if first == "":  # suffix range: the last N bytes
            start, end = max(size - int(last), 0), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            headers["Content-Range"] = f"bytes */{size}"
            self._send(416, b"", headers, send_body)
            return
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        # Read only the range: a large file served in blocks would otherwise be read whole
        # for every block.
        self._send(206, _read(path, start, end + 1 - start), headers, send_body)


def _read(path: Path, start: int, length: int) -> bytes:
    with path.open("rb") as stream:
        stream.seek(start)
        return stream.read(length)


def _listing(url_path: str, directory: Path) -> bytes:
    """HTML page of absolute links to the directory's entries; subdirectories end with '/'."""
    base = url_path if url_path.endswith("/") else url_path + "/"
    items = []
    for entry in sorted(directory.iterdir()):
        name = entry.name + ("/" if entry.is_dir() else "")
        href = base + urllib.parse.quote(name)
        items.append(f'<li><a href="{html.escape(href, quote=True)}">{html.escape(name)}</a></li>')
    title = html.escape(url_path)
    page = (
        f"<!DOCTYPE html>\n<html><head><title>Index of {title}</title></head>\n"
        f"<body><h1>Index of {title}</h1>\n<ul>\n" + "\n".join(items) + "\n</ul></body></html>\n"
    )
    return page.encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HTTPServer


class HTTPServer(LoopbackServer):
    """Read-only HTTP server for files under ``root``, guarded by HTTP Basic auth."""

    def __init__(self, root: Path, username: str, password: str) -> None:
        super().__init__()
        self.root = Path(root).resolve()
        self.username = username
        self.password = password
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.expected_authorization = f"Basic {token}"
        self.seen_authorization: list[tuple[str, str | None]] = []
        self.seen_requests: list[tuple[str, str, str | None]] = []
        self._seen_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("server not started: port unknown")
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL for a server path (already URL-encoded by the caller if needed)."""
        return self.base_url + "/" + path.lstrip("/")

    def resolve(self, url_path: str) -> Path | None:
        """Map a decoded URL path to a file under root; None if it escapes root."""
        candidate = (self.root / url_path.lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None
        return candidate

    def _record(self, method: str, path: str, authorization: str | None, rng: str | None) -> None:
        with self._seen_lock:
            self.seen_authorization.append((path, authorization))
            self.seen_requests.append((method, path, rng))

    def seen(self) -> list[tuple[str, str | None]]:
        """A snapshot of ``seen_authorization`` taken under its lock."""
        with self._seen_lock:
            return list(self.seen_authorization)

    def clear_seen(self) -> None:
        with self._seen_lock:
            self.seen_authorization.clear()
            self.seen_requests.clear()

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server((self.host, 0), _Handler)
        server.owner = self
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"http-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        self._server = None
        self._thread = None
