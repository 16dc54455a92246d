"""No code path prints, logs, reprs, pickles or raises the canary password, on every backend."""

from __future__ import annotations

import logging
import pickle

import fsspec
import pytest

import tentaclio_fs as tio
from tentaclio_fs.spec import TentaclioFileSystem
from tentaclio_fs.testing import CANARY_PASSWORD, CANARY_USER

READABLE = ["ftp", "sftp", "s3", "http"]


def assert_clean(canary_forms: list[str], *texts: str | bytes) -> None:
    for text in texts:
        data = text if isinstance(text, bytes) else text.encode()
        for form in canary_forms:
            assert form.encode() not in data, f"leaked {form!r}"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def readable(request, http_server):
    """A base URL of each backend with a file ``canary.txt`` in it."""
    kind = request.param
    base = request.getfixturevalue(kind)
    if kind == "http":
        (http_server.root / "canary.txt").write_text("canary content")
    else:
        with tio.open(f"{base}/canary.txt", "w") as writer:
            writer.write("canary content")
    return base


@pytest.mark.parametrize("readable", READABLE, indirect=True)
def test_reading_listing_and_reprs_leak_nothing(readable, debug_logs, canary_forms):
    url = f"{readable}/canary.txt"
    with tio.open(url) as reader:
        assert reader.read() == "canary content"
        shown = [repr(reader), repr(reader.buffer), str(reader.buffer.name)]
    fs, path = fsspec.core.url_to_fs(f"tentaclio::{url}")
    shown += [repr(fs), str(fs.info(path)), str(tio.listdir(f"{readable}/"))]
    shown += [str(tio.authenticate(url)), repr(tio.authenticate(url))]
    shown += [repr(fs.target(path)), str(fs.storage_options)]
    assert_clean(canary_forms, debug_logs.text, *shown)


@pytest.mark.parametrize("readable", READABLE, indirect=True)
def test_pickles_of_filesystems_and_open_files_carry_no_secret(readable, canary_forms):
    url = f"{readable}/canary.txt"
    fs, path = fsspec.core.url_to_fs(f"tentaclio::{url}")
    with fs.open(path, "rb") as reader:
        reader.read(3)
        blob = pickle.dumps(reader)
    assert_clean(canary_forms, blob, pickle.dumps(fs), pickle.dumps(tio.authenticate(url)))
    with pickle.loads(blob) as reopened:
        assert reopened.read() == b"ary content"


@pytest.mark.parametrize("kind", ["ftp", "sftp", "s3", "local"])
def test_open_writers_refuse_to_be_pickled(request, kind):
    base = request.getfixturevalue(kind)
    with tio.open(f"{base}/w.bin", "wb") as writer, pytest.raises(TypeError):
        pickle.dumps(writer)


@pytest.mark.parametrize("readable", READABLE, indirect=True)
def test_errors_leak_nothing(readable, debug_logs, canary_forms):
    messages = []
    for failing in (
        lambda: tio.open(f"{readable}/missing.txt").read(),
        lambda: tio.listdir(f"{readable}/no/such/folder/"),
        lambda: tio.remove(f"{readable}/missing.txt"),
    ):
        try:
            failing()
        except Exception as error:  # each backend raises its own kind; all must be clean
            messages += [str(error), repr(error), str(error.__cause__), str(error.__context__)]
    assert messages
    assert_clean(canary_forms, debug_logs.text, *messages)


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_a_refused_login_leaks_nothing(request, secrets, kind, debug_logs, canary_forms):
    server = request.getfixturevalue(f"{kind}_server")
    secrets.add(
        "refused",
        {
            "url": f"{kind}://127.0.0.1:{server.port}/",
            "username": CANARY_USER,
            "password": CANARY_PASSWORD[::-1],
            "options": {"known_hosts": str(server.known_hosts)} if kind == "sftp" else {},
        },
    )
    reversed_forms = [form[::-1] for form in canary_forms[:1]]
    with pytest.raises(PermissionError) as caught:
        tio.listdir(f"{kind}://127.0.0.1:{server.port}/")
    assert "refused" in str(caught.value)
    assert_clean(reversed_forms + canary_forms, debug_logs.text, str(caught.value))


def test_an_inline_password_is_used_but_never_shown(sftp_server, secrets, canary_forms):
    from urllib.parse import quote

    fs = TentaclioFileSystem(
        target_protocol="sftp",
        target_options={
            "host": "127.0.0.1",
            "port": sftp_server.port,
            "username": CANARY_USER,
            "password": quote(CANARY_PASSWORD, safe=""),
            "known_hosts": str(sftp_server.known_hosts),
        },
    )
    assert fs.ls("/", detail=False) is not None  # the inline password logs in
    assert_clean(canary_forms, repr(fs), str(fs.storage_options), pickle.dumps(fs))


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_files_opened_with_inline_credentials_show_and_pickle_none(request, kind, canary_forms):
    from urllib.parse import quote

    server = request.getfixturevalue(f"{kind}_server")
    query = f"?known_hosts={quote(str(server.known_hosts), safe='')}" if kind == "sftp" else ""
    base = f"{kind}://{CANARY_USER}:{quote(CANARY_PASSWORD, safe='')}@127.0.0.1:{server.port}"
    with tio.open(f"{base}/inline-shown.txt{query}", "w") as writer:
        writer.write("inline")
    with tio.open(f"{base}/inline-shown.txt{query}", "rb") as reader:
        shown = [repr(reader), str(reader.name), pickle.dumps(reader)]
    with tio.open(f"{base}/inline-shown.txt{query}") as text_reader:
        shown.append(repr(text_reader))
    assert_clean(canary_forms, *shown)


def test_positional_target_options_stay_out_of_pickles(ftp_server, canary_forms):
    from urllib.parse import quote

    options = {
        "host": "127.0.0.1",
        "port": ftp_server.port,
        "username": CANARY_USER,
        "password": quote(CANARY_PASSWORD, safe=""),
    }
    fs = TentaclioFileSystem("ftp", options)
    assert fs.ls("/", detail=False) is not None
    assert_clean(canary_forms, pickle.dumps(fs), fs.to_json())
