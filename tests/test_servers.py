"""Smoke tests for the loopback servers, driven by the raw clients (not tentaclio_fs).

Run these first: while they fail, tentaclio_fs test failures prove nothing. They show that each
server really speaks its protocol, authenticates with CANARY_PASSWORD (which is
full of URL-hostile characters), and refuses wrong credentials.
"""

from __future__ import annotations

import base64
import ftplib
import io
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import asyncssh
import pytest
import s3fs
import sshfs
from fsspec.implementations.http import HTTPFileSystem

from tentaclio_fs.testing import (
    CANARY_PASSWORD,
    CANARY_USER,
    FTPServer,
    HTTPServer,
    S3Server,
    SFTPServer,
)

pytestmark = pytest.mark.timeout(60)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --------------------------------------------------------------------------- FTP


@pytest.fixture
def ftp_server(tmp_path: Path) -> Iterator[FTPServer]:
    root = tmp_path / "ftp"
    root.mkdir()
    with FTPServer(root, CANARY_USER, CANARY_PASSWORD) as server:
        yield server


def test_ftp_login_upload_list(ftp_server: FTPServer) -> None:
    with ftplib.FTP() as ftp:
        ftp.connect(ftp_server.host, ftp_server.port, timeout=10)
        ftp.login(CANARY_USER, CANARY_PASSWORD)
        ftp.mkd("sub")
        ftp.storbinary("STOR sub/hello.txt", io.BytesIO(b"hello ftp"))
        assert ftp.nlst("sub") == ["hello.txt"]  # pyftpdlib NLST answers basenames
        assert [name for name, _ in ftp.mlsd("sub")] == ["hello.txt"]
        chunks: list[bytes] = []
        ftp.retrbinary("RETR sub/hello.txt", chunks.append)
        assert b"".join(chunks) == b"hello ftp"
        ftp.rename("sub/hello.txt", "sub/renamed.txt")
    assert (ftp_server.root / "sub" / "renamed.txt").read_bytes() == b"hello ftp"


def test_ftp_rejects_wrong_password(ftp_server: FTPServer) -> None:
    with ftplib.FTP() as ftp:
        ftp.connect(ftp_server.host, ftp_server.port, timeout=10)
        with pytest.raises(ftplib.error_perm, match="530"):
            ftp.login(CANARY_USER, CANARY_PASSWORD + "x")


def test_two_ftp_servers_stop_independently(tmp_path: Path) -> None:
    """pyftpdlib keeps exit state at class level; stopping one server must not kill another."""
    a_root, b_root = tmp_path / "a", tmp_path / "b"
    a_root.mkdir()
    b_root.mkdir()
    with FTPServer(b_root, CANARY_USER, CANARY_PASSWORD) as b, ftplib.FTP() as ftp:
        ftp.connect(b.host, b.port, timeout=10)
        ftp.login(CANARY_USER, CANARY_PASSWORD)
        with FTPServer(a_root, CANARY_USER, CANARY_PASSWORD):
            pass
        ftp.storbinary("STOR after.txt", io.BytesIO(b"still alive"))
    assert (b_root / "after.txt").read_bytes() == b"still alive"


# -------------------------------------------------------------------------- SFTP


@pytest.fixture
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def sftp_server(tmp_path: Path, client_key: asyncssh.SSHKey) -> Iterator[SFTPServer]:
    root = tmp_path / "sftp"
    root.mkdir()
    with SFTPServer(root, CANARY_USER, CANARY_PASSWORD, authorized_keys=[client_key]) as server:
        yield server


def _sshfs(server: SFTPServer, **kwargs: object) -> sshfs.SSHFileSystem:
    return sshfs.SSHFileSystem(
        server.host,
        port=server.port,
        username=CANARY_USER,
        skip_instance_cache=True,
        **kwargs,
    )


def test_sftp_password_known_hosts_and_posix_rename(
    sftp_server: SFTPServer, tmp_path: Path
) -> None:
    known_hosts = sftp_server.write_known_hosts(tmp_path / "known_hosts")
    assert known_hosts.read_text().startswith(f"[127.0.0.1]:{sftp_server.port} ssh-ed25519 AAAA")
    fs = _sshfs(
        sftp_server, password=CANARY_PASSWORD, client_keys=None, known_hosts=str(known_hosts)
    )
    fs.makedirs("/d", exist_ok=True)
    fs.pipe_file("/d/old.txt", b"new content")
    fs.pipe_file("/d/target.txt", b"old content")
    # Overwriting rename needs posix-rename@openssh.com: sshfs's fallback copies
    # via a shell `cp`, which this SFTP-only server refuses, so success proves it.
    fs.mv("/d/old.txt", "/d/target.txt")
    assert sorted(fs.ls("/d", detail=False)) == ["/d/target.txt"]
    assert (sftp_server.root / "d" / "target.txt").read_bytes() == b"new content"


def test_sftp_client_key(
    sftp_server: SFTPServer, client_key: asyncssh.SSHKey, tmp_path: Path
) -> None:
    known_hosts = sftp_server.write_known_hosts(tmp_path / "known_hosts")
    (sftp_server.root / "k.txt").write_bytes(b"via key")
    fs = _sshfs(sftp_server, client_keys=[client_key], known_hosts=str(known_hosts))
    assert fs.cat_file("/k.txt") == b"via key"


def test_sftp_rejects_wrong_credentials(sftp_server: SFTPServer) -> None:
    with pytest.raises(PermissionError):
        _sshfs(sftp_server, password="wrong", client_keys=None, known_hosts=None)
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(PermissionError):
        _sshfs(sftp_server, client_keys=[stranger], known_hosts=None)


def test_sftp_unknown_host_key_is_refused(sftp_server: SFTPServer, tmp_path: Path) -> None:
    other_key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    wrong = tmp_path / "wrong_known_hosts"
    wrong.write_text(f"[127.0.0.1]:{sftp_server.port} {other_key}")
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    for known_hosts in (wrong, empty):
        with pytest.raises(asyncssh.HostKeyNotVerifiable) as info:
            _sshfs(
                sftp_server,
                password=CANARY_PASSWORD,
                client_keys=None,
                known_hosts=str(known_hosts),
            )
        assert CANARY_PASSWORD not in repr(info.value)


def test_sftp_known_hosts_none_skips_checking(sftp_server: SFTPServer) -> None:
    # sshfs defaults known_hosts to None too: no host key checking unless asked.
    (sftp_server.root / "n.txt").write_bytes(b"unchecked")
    fs = _sshfs(sftp_server, password=CANARY_PASSWORD, client_keys=None, known_hosts=None)
    assert fs.cat_file("/n.txt") == b"unchecked"


# ---------------------------------------------------------------------------- S3


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with S3Server() as server:
        yield server


def test_s3fs_write_read(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    s3_server.reset()
    s3_server.create_bucket("bucket")
    fs = s3fs.S3FileSystem(
        key="testing",
        secret="testing",
        endpoint_url=s3_server.endpoint_url,
        skip_instance_cache=True,
    )
    fs.pipe_file("bucket/dir/obj.bin", b"\x00s3 bytes\xff")
    assert fs.cat_file("bucket/dir/obj.bin") == b"\x00s3 bytes\xff"
    assert fs.ls("bucket/dir", detail=False) == ["bucket/dir/obj.bin"]
    # Same object seen through an independent client: the data is really on the server.
    body = s3_server.client().get_object(Bucket="bucket", Key="dir/obj.bin")["Body"].read()
    assert body == b"\x00s3 bytes\xff"


def test_s3_reset_forgets_buckets(s3_server: S3Server) -> None:
    s3_server.create_bucket("ephemeral")
    s3_server.reset()
    names = [b["Name"] for b in s3_server.client().list_buckets()["Buckets"]]
    assert "ephemeral" not in names


# -------------------------------------------------------------------------- HTTP

DATA = b"0123456789abcdefghij"


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[HTTPServer]:
    root = tmp_path / "www"
    (root / "dir" / "sub").mkdir(parents=True)
    (root / "dir" / "data.bin").write_bytes(DATA)
    (root / "dir" / "a b.txt").write_bytes(b"spaced")
    (root / "dir" / "sub" / "x.txt").write_bytes(b"x")
    with HTTPServer(root, CANARY_USER, CANARY_PASSWORD) as server:
        yield server


@pytest.fixture
def http_fs() -> HTTPFileSystem:
    return HTTPFileSystem(
        headers={"Authorization": _basic(CANARY_USER, CANARY_PASSWORD)}, skip_instance_cache=True
    )


def test_http_read_and_info(http_server: HTTPServer, http_fs: HTTPFileSystem) -> None:
    assert http_fs.cat_file(http_server.url("/dir/data.bin")) == DATA
    assert http_fs.info(http_server.url("/dir/a%20b.txt"))["size"] == len(b"spaced")
    assert all(auth == http_server.expected_authorization for _, auth in http_server.seen())


def test_http_ls(http_server: HTTPServer, http_fs: HTTPFileSystem) -> None:
    listing = {e["name"]: e["type"] for e in http_fs.ls(http_server.url("/dir"))}
    base = http_server.url("/dir")
    assert listing == {
        f"{base}/a%20b.txt": "file",
        f"{base}/data.bin": "file",
        f"{base}/sub/": "directory",
    }


def test_http_ranged_reads(http_server: HTTPServer, http_fs: HTTPFileSystem) -> None:
    url = http_server.url("/dir/data.bin")
    with http_fs.open(url, block_size=4) as f:
        assert f.read() == DATA
    with http_fs.open(url, block_size=4) as f:
        f.seek(7)
        assert f.read(5) == DATA[7:12]
    ranges = [r for method, _, r in http_server.seen_requests if method == "GET" and r]
    assert ranges and all(r.startswith("bytes=") for r in ranges)
    # The server side of ranges, checked without fsspec in the way.
    request = urllib.request.Request(
        url, headers={"Authorization": http_server.expected_authorization}
    )
    request.add_header("Range", "bytes=18-")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 18-19/{len(DATA)}"
        assert response.read() == DATA[18:]


def test_http_401_without_credentials(http_server: HTTPServer) -> None:
    fs = HTTPFileSystem(skip_instance_cache=True)
    with pytest.raises(aiohttp.ClientResponseError) as info:
        fs.cat_file(http_server.url("/dir/data.bin"))
    assert info.value.status == 401
    try:
        urllib.request.urlopen(http_server.url("/dir/data.bin"), timeout=10)
    except urllib.error.HTTPError as err:
        assert err.code == 401
        assert err.headers["WWW-Authenticate"] == 'Basic realm="test"'
    else:
        pytest.fail("expected 401")
    assert http_server.seen()[-1] == ("/dir/data.bin", None)


def test_http_404(http_server: HTTPServer, http_fs: HTTPFileSystem) -> None:
    with pytest.raises(FileNotFoundError):
        http_fs.cat_file(http_server.url("/dir/missing.bin"))


def test_http_cross_host_redirect_drops_authorization(
    http_server: HTTPServer, http_fs: HTTPFileSystem, tmp_path: Path
) -> None:
    with HTTPServer(http_server.root, CANARY_USER, CANARY_PASSWORD) as other:
        target = urllib.parse.quote(other.url("/dir/data.bin"), safe="")
        with pytest.raises(aiohttp.ClientResponseError) as info:
            http_fs.cat_file(http_server.url(f"/redirect?to={target}"))
        assert info.value.status == 401
        # aiohttp strips Authorization when a redirect changes origin (here: port).
        assert other.seen() == [("/dir/data.bin", None)]
    seen = http_server.seen()
    assert any(
        path.startswith("/redirect?") and auth == http_server.expected_authorization
        for path, auth in seen
    )
