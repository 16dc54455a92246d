"""The loopback servers of the test suite, run in a process of their own for the benchmarks.

``python -m bench.servers WORKDIR`` starts the FTP, SFTP, S3 (moto) and HTTP servers of
:mod:`tentaclio_fs.testing`, writes ``WORKDIR/servers.json`` (ports, roots, credentials) and
runs until its standard input closes. A separate process keeps the servers' threads off the
measuring interpreter's GIL, and lets memory children and the ancestor's venv reach them too.

:class:`Servers` (a context manager) starts that process, writes the secrets file (mode 600)
that ``TENTACLIO__SECRETS_FILE`` names, and builds the *raw* backends (s3fs, sshfs, fsspec's
ftp, http and local) from the servers' own credentials, never from tentaclio_fs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

BUCKET = "bench"
S3_KEY = "AKIDBENCH"
USERNAME = "bench"
SCHEMES = ("file", "ftp", "sftp", "s3", "http")


def serve(workdir: Path) -> None:
    """Run the servers until stdin closes (the child side)."""
    from tentaclio_fs.testing import FTPServer, HTTPServer, S3Server, SFTPServer

    # URL-safe on purpose: tentaclio 1.6.1 (the ancestor) must parse the same secrets.
    password = "pw-" + secrets.token_hex(8)
    roots = {name: workdir / name for name in ("ftp", "sftp", "http", "local")}
    for root in roots.values():
        root.mkdir(parents=True, exist_ok=True)
    ftp = FTPServer(roots["ftp"], USERNAME, password).start()
    sftp = SFTPServer(roots["sftp"], USERNAME, password).start()
    known_hosts = sftp.write_known_hosts(workdir / "known_hosts")
    s3 = S3Server().start()
    s3.create_bucket(BUCKET)
    http = HTTPServer(roots["http"], USERNAME, password).start()
    config = {
        "workdir": str(workdir),
        "username": USERNAME,
        "password": password,
        "local": {"root": str(roots["local"])},
        "ftp": {"host": ftp.host, "port": ftp.port, "root": str(roots["ftp"])},
        "sftp": {
            "host": sftp.host,
            "port": sftp.port,
            "root": str(roots["sftp"]),
            "known_hosts": str(known_hosts),
        },
        "s3": {"endpoint_url": s3.endpoint_url, "bucket": BUCKET, "key": S3_KEY},
        "http": {"base_url": http.base_url, "root": str(roots["http"])},
        "pid": os.getpid(),
    }
    partial = workdir / "servers.json.part"
    partial.write_text(json.dumps(config, indent=1))
    partial.rename(workdir / "servers.json")
    try:
        sys.stdin.read()  # until the parent closes the pipe (or dies)
    finally:
        for server in (http, s3, sftp, ftp):
            with contextlib.suppress(Exception):  # shutting down; nothing to save
                server.stop()


class Servers:
    """The servers' process, the secrets file, and the raw backends' view of them."""

    def __init__(self, workdir: Path | None = None) -> None:
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="tentaclio-bench-"))
        self.config: dict[str, Any] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Servers:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Servers:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.servers", str(self.workdir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        path = self.workdir / "servers.json"
        deadline = time.monotonic() + 90
        while not path.exists():
            if self._process.poll() is not None:
                raise RuntimeError(f"the servers' process exited ({self._process.returncode})")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the servers did not start within 90 s")
            time.sleep(0.05)
        self.config = json.loads(path.read_text())
        self.secrets_file = self._write_secrets()
        self._set_env()
        return self

    def stop(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}
        process, self._process = self._process, None
        if process is not None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _write_secrets(self) -> Path:
        c = self.config
        user, password = c["username"], c["password"]
        entries = {
            "ftp": {"url": self.base("ftp") + "/", "username": user, "password": password},
            "sftp": {
                "url": self.base("sftp") + "/",
                "username": user,
                "password": password,
                "options": {"known_hosts": c["sftp"]["known_hosts"]},
            },
            "s3": {
                "url": f"s3://{c['s3']['bucket']}/",
                "username": c["s3"]["key"],
                "password": password,
                "options": {"endpoint_url": c["s3"]["endpoint_url"]},
            },
            "http": {"url": self.base("http") + "/", "username": user, "password": password},
        }
        path = self.workdir / "secrets.yml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as stream:
            yaml.safe_dump({"secrets": entries}, stream)
        os.chmod(path, 0o600)
        return path

    def _set_env(self) -> None:
        changes: dict[str, str | None] = {"TENTACLIO__SECRETS_FILE": str(self.secrets_file)}
        for name in os.environ:
            if name.startswith("TENTACLIO__CONN__"):
                changes[name] = None
        for name, value in changes.items():
            self._saved_env[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    # -- addresses -----------------------------------------------------------------------

    def base(self, scheme: str) -> str:
        """The secret-free base URL of a scheme (a plain folder for ``file``)."""
        c = self.config
        if scheme == "file":
            return c["local"]["root"]
        if scheme in ("ftp", "sftp"):
            return f"{scheme}://{c[scheme]['host']}:{c[scheme]['port']}"
        if scheme == "s3":
            return f"s3://{c['s3']['bucket']}"
        if scheme == "http":
            return c["http"]["base_url"]
        raise ValueError(scheme)

    def url(self, scheme: str, name: str) -> str:
        """The secret-free URL of file ``name`` (a local path for ``file``)."""
        return self.base(scheme) + "/" + name

    def disk_path(self, scheme: str, name: str) -> Path | None:
        """Where ``name`` lies on disk behind the server, for servers that serve a folder."""
        c = self.config
        key = {"file": "local", "ftp": "ftp", "sftp": "sftp", "http": "http"}.get(scheme)
        return None if key is None else Path(c[key]["root"]) / name

    # -- raw backends --------------------------------------------------------------------

    def raw(self, scheme: str) -> tuple[Any, Any]:
        """(raw fsspec filesystem, function name -> its path), from the servers' credentials."""
        return raw_backend(self.config, scheme)


def raw_backend(config: dict[str, Any], scheme: str) -> tuple[Any, Any]:
    """The backend a user would open directly, with the same credentials as the secrets."""
    user, password = config["username"], config["password"]
    if scheme == "file":
        from fsspec.implementations.local import LocalFileSystem

        root = config["local"]["root"]
        return LocalFileSystem(), lambda name: f"{root}/{name}"
    if scheme == "ftp":
        from fsspec.implementations.ftp import FTPFileSystem

        c = config["ftp"]
        fs = FTPFileSystem(host=c["host"], port=c["port"], username=user, password=password)
        return fs, lambda name: "/" + name
    if scheme == "sftp":
        import sshfs

        c = config["sftp"]
        fs = sshfs.SSHFileSystem(
            host=c["host"],
            port=c["port"],
            username=user,
            password=password,
            known_hosts=c["known_hosts"],
        )
        return fs, lambda name: "/" + name
    if scheme == "s3":
        import s3fs

        c = config["s3"]
        fs = s3fs.S3FileSystem(key=c["key"], secret=password, endpoint_url=c["endpoint_url"])
        return fs, lambda name: f"{c['bucket']}/{name}"
    if scheme == "http":
        from fsspec.implementations.http import HTTPFileSystem

        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        fs = HTTPFileSystem(headers={"Authorization": "Basic " + token})
        base = config["http"]["base_url"]
        return fs, lambda name: f"{base}/{name}"
    raise ValueError(scheme)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
