"""Servers on loopback for the whole session, and a secrets file per test.

Every server logs in with ``CANARY_USER`` / ``CANARY_PASSWORD`` (``@ : / # % +`` and a space),
so an encoding bug fails a login and a leak shows in any output a test checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tentaclio_fs.testing import (
    CANARY_PASSWORD,
    CANARY_USER,
    FTPServer,
    HTTPServer,
    S3Server,
    SFTPServer,
)

BUCKET = "tentaclio-test"
S3_KEY = "AKIDCANARY"


class SecretsFile:
    """A YAML secrets file named by TENTACLIO__SECRETS_FILE, rewritten on each ``add``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        self._write()

    def add(self, name: str, value: Any) -> None:
        self.entries[name] = value
        self._write()

    def _write(self) -> None:
        self.path.write_text(yaml.safe_dump({"secrets": self.entries}))
        self.path.chmod(0o600)


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SecretsFile:
    """An empty secrets file in use, and no TENTACLIO__CONN__ variable from outside."""
    for name in list(os.environ):
        if name.startswith("TENTACLIO__CONN__"):
            monkeypatch.delenv(name)
    secrets_file = SecretsFile(tmp_path / "secrets.yml")
    monkeypatch.setenv("TENTACLIO__SECRETS_FILE", str(secrets_file.path))
    return secrets_file


@pytest.fixture(scope="session")
def ftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FTPServer]:
    with FTPServer(tmp_path_factory.mktemp("ftp"), CANARY_USER, CANARY_PASSWORD) as server:
        yield server


@pytest.fixture(scope="session")
def sftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SFTPServer]:
    with SFTPServer(tmp_path_factory.mktemp("sftp"), CANARY_USER, CANARY_PASSWORD) as server:
        server.known_hosts = server.write_known_hosts(  # type: ignore[attr-defined]
            tmp_path_factory.mktemp("ssh") / "known_hosts"
        )
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with S3Server() as server:
        yield server


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HTTPServer]:
    with HTTPServer(tmp_path_factory.mktemp("http"), CANARY_USER, CANARY_PASSWORD) as server:
        yield server


@pytest.fixture
def ftp(ftp_server: FTPServer, secrets: SecretsFile) -> str:
    """A secret-free FTP URL whose credentials are in the secrets file."""
    base = f"ftp://127.0.0.1:{ftp_server.port}"
    secrets.add("ftp", {"url": base + "/", "username": CANARY_USER, "password": CANARY_PASSWORD})
    return base


@pytest.fixture
def sftp(sftp_server: SFTPServer, secrets: SecretsFile) -> str:
    """A secret-free SFTP URL; the secret names the server's known_hosts file."""
    base = f"sftp://127.0.0.1:{sftp_server.port}"
    secrets.add(
        "sftp",
        {
            "url": base + "/",
            "username": CANARY_USER,
            "password": CANARY_PASSWORD,
            "options": {"known_hosts": str(sftp_server.known_hosts)},  # type: ignore[attr-defined]
        },
    )
    return base


@pytest.fixture
def s3(s3_server: S3Server, secrets: SecretsFile) -> str:
    """A fresh bucket; the secret holds the key, the canary as secret key, and the endpoint."""
    s3_server.reset()
    s3_server.create_bucket(BUCKET)
    secrets.add(
        "s3",
        {
            "url": f"s3://{BUCKET}/",
            "username": S3_KEY,
            "password": CANARY_PASSWORD,
            "options": {"endpoint_url": s3_server.endpoint_url},
        },
    )
    return f"s3://{BUCKET}"


@pytest.fixture
def http(http_server: HTTPServer, secrets: SecretsFile) -> str:
    base = http_server.base_url
    secrets.add("http", {"url": base + "/", "username": CANARY_USER, "password": CANARY_PASSWORD})
    return base


@pytest.fixture
def local(tmp_path: Path) -> str:
    folder = tmp_path / "local"
    folder.mkdir()
    return str(folder)


WRITABLE = ["local", "ftp", "sftp", "s3"]


@pytest.fixture(params=WRITABLE)
def remote(request: pytest.FixtureRequest) -> str:
    """Each writable backend in turn, as a base URL (or local folder) with a fresh folder."""
    base: str = request.getfixturevalue(request.param)
    folder = f"{base}/t-{os.urandom(4).hex()}"
    return folder


@pytest.fixture
def canary_forms() -> list[str]:
    """The canary password as it could leak: raw, percent-encoded, and base64 in a header."""
    import base64
    from urllib.parse import quote, quote_plus

    pair = f"{CANARY_USER}:{CANARY_PASSWORD}".encode()
    return [
        CANARY_PASSWORD,
        quote(CANARY_PASSWORD, safe=""),
        quote_plus(CANARY_PASSWORD),
        base64.b64encode(pair).decode(),
    ]
