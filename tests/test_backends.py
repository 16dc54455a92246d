"""Per-backend behaviour on real servers: logins, host keys, HTTP auth and redirects."""

from __future__ import annotations

from urllib.parse import quote

import asyncssh
import pytest

import tentaclio_fs as tio
from tentaclio_fs.connect_errors import LoginRefusedError, TLSError
from tentaclio_fs.errors import HostKeyError, TentaclioError, UnsupportedSchemeError
from tentaclio_fs.testing import CANARY_PASSWORD, CANARY_USER, SFTPServer

ENCODED = quote(CANARY_PASSWORD, safe="")


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_percent_encoded_secret_url_logs_in_with_the_decoded_password(
    request, secrets, kind, monkeypatch
):
    # case 1: a URL-string secret, encoded once, decoded once
    server = request.getfixturevalue(f"{kind}_server")
    url = f"{kind}://{CANARY_USER}:{ENCODED}@127.0.0.1:{server.port}/"
    if kind == "sftp":
        url += f"?known_hosts={quote(str(server.known_hosts), safe='')}"
    monkeypatch.setenv("TENTACLIO__CONN__ENCODED", url)
    target = f"{kind}://127.0.0.1:{server.port}/case1.txt"
    with tio.open(target, "w") as writer:
        writer.write("logged in")
    with tio.open(target) as reader:
        assert reader.read() == "logged in"


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_inline_credentials_work_in_copy(request, secrets, kind, tmp_path):
    # case 18: a URL with inline credentials passed around as a value keeps working
    server = request.getfixturevalue(f"{kind}_server")
    query = f"?known_hosts={quote(str(server.known_hosts), safe='')}" if kind == "sftp" else ""
    inline = f"{kind}://{CANARY_USER}:{ENCODED}@127.0.0.1:{server.port}/inline.txt{query}"
    (tmp_path / "src.txt").write_text("inline")
    tio.copy(str(tmp_path / "src.txt"), inline)
    authenticated = tio.authenticate(inline)
    tio.copy(authenticated, str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "inline"


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_a_wrong_password_names_the_secret(request, secrets, kind, canary_forms):
    server = request.getfixturevalue(f"{kind}_server")
    options = {"known_hosts": str(server.known_hosts)} if kind == "sftp" else {}
    secrets.add(
        "wrong_one",
        {
            "url": f"{kind}://127.0.0.1:{server.port}/",
            "username": CANARY_USER,
            "password": CANARY_PASSWORD + "-wrong",
            "options": options,
        },
    )
    with pytest.raises(LoginRefusedError) as caught:
        tio.listdir(f"{kind}://127.0.0.1:{server.port}/")
    message = str(caught.value)
    assert "wrong_one" in message
    for form in canary_forms:
        assert form not in message


def test_sftp_checks_host_keys_by_default(sftp_server, secrets, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # an empty ~/.ssh: nothing is trusted
    secrets.add(
        "no_known_hosts",
        {
            "url": f"sftp://127.0.0.1:{sftp_server.port}/",
            "username": CANARY_USER,
            "password": CANARY_PASSWORD,
        },
    )
    with pytest.raises(HostKeyError) as caught:
        tio.listdir(f"sftp://127.0.0.1:{sftp_server.port}/")
    assert "ssh-keyscan" in str(caught.value)
    assert "known_hosts" in str(caught.value)


def test_sftp_trusts_the_users_known_hosts(sftp_server, secrets, tmp_path, monkeypatch):
    (tmp_path / ".ssh").mkdir()
    sftp_server.write_known_hosts(tmp_path / ".ssh" / "known_hosts")
    monkeypatch.setenv("HOME", str(tmp_path))
    secrets.add(
        "home_known_hosts",
        {
            "url": f"sftp://127.0.0.1:{sftp_server.port}/",
            "username": CANARY_USER,
            "password": CANARY_PASSWORD,
        },
    )
    assert isinstance(tio.listdir(f"sftp://127.0.0.1:{sftp_server.port}/"), list)


def test_sftp_key_authentication(tmp_path, secrets):
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(client_key.export_private_key())
    key_file.chmod(0o600)
    root = tmp_path / "keyroot"
    root.mkdir()
    with SFTPServer(root, "keyuser", "unused-password", authorized_keys=[client_key]) as server:
        known_hosts = server.write_known_hosts(tmp_path / "known_hosts")
        secrets.add(
            "by_key",
            {
                "url": f"sftp://keyuser@127.0.0.1:{server.port}/",
                "options": {"client_keys": str(key_file), "known_hosts": str(known_hosts)},
            },
        )
        with tio.open(f"sftp://127.0.0.1:{server.port}/k.txt", "w") as writer:
            writer.write("by key")
        assert (root / "k.txt").read_text() == "by key"


def test_http_basic_auth_port_and_query_kept(http, http_server):
    # case 17
    (http_server.root / "p").write_text("served")
    http_server.clear_seen()
    with tio.open(f"{http}/p?q=1") as reader:
        assert reader.read() == "served"
    paths = [path for path, _ in http_server.seen()]
    assert any(path == "/p?q=1" for path in paths)
    assert all(auth == http_server.expected_authorization for _, auth in http_server.seen())


def test_http_without_a_secret_is_refused(http_server, secrets):
    (http_server.root / "closed.txt").write_text("closed")
    with pytest.raises((PermissionError, OSError, TentaclioError, Exception)) as caught:
        tio.open(f"{http_server.base_url}/closed.txt").read()
    assert (
        "401" in str(caught.value)
        or "Unauthorized" in str(caught.value)
        or isinstance(caught.value, FileNotFoundError)
    )


def test_http_credentials_do_not_follow_a_redirect_to_another_host(http, http_server, tmp_path):
    from tentaclio_fs.testing import HTTPServer

    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "moved.txt").write_text("moved")
    with HTTPServer(other_root, CANARY_USER, CANARY_PASSWORD) as other:
        target = quote(f"http://localhost:{other.port}/moved.txt", safe="")
        with pytest.raises(Exception):  # noqa: B017 - the other host answers 401
            tio.open(f"{http}/redirect?to={target}").read()
        assert other.seen() and all(auth is None for _, auth in other.seen())


def test_http_listing(http, http_server):
    (http_server.root / "listed").mkdir()
    (http_server.root / "listed" / "one.csv").write_text("1")
    names = tio.listdir(f"{http}/listed/")
    assert f"{http}/listed/one.csv" in names


def test_unknown_scheme_is_a_clear_error():
    with pytest.raises(UnsupportedSchemeError, match="gopher"):
        tio.open("gopher://host/x")


def test_unknown_query_option_is_a_clear_error(sftp):
    with pytest.raises(TentaclioError, match="colour"):
        tio.listdir(f"{sftp}/?colour=blue")


def test_https_verifies_certificates_by_default(tmp_path, secrets):
    import ssl
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from servers.databases import self_signed_certificate

    key, certificate = self_signed_certificate("127.0.0.1")
    (tmp_path / "cert.pem").write_bytes(certificate)
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "served.txt").write_text("over tls")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(TLSError) as caught:
            tio.open(f"https://127.0.0.1:{server.server_address[1]}/served.txt").read()
        assert "certificate" in str(caught.value)
        assert "SSL_CERT_FILE" in str(caught.value)
    finally:
        server.shutdown()


def test_a_dropped_ftp_connection_is_replaced(ftp, monkeypatch):
    from tentaclio_fs import backends

    tio.open(f"{ftp}/alive.txt", "w").close()
    for key, fs in backends._instances.items():
        if key[0] == "ftp":
            fs.ftp.close()  # as a server does with an idle control connection
    monkeypatch.setattr(backends, "FTP_IDLE_CHECK_SECONDS", -1.0)
    assert tio.exists(f"{ftp}/alive.txt")
