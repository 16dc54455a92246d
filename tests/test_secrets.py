"""Secret sources: environment variables and YAML files, their errors, and reloading."""

from __future__ import annotations

import logging
import os
import time
import warnings
from pathlib import Path

import pytest

from tentaclio_fs.errors import SecretError, SecretsFileError
from tentaclio_fs.secrets import SecretsFilePermissionWarning, SecretStore
from tentaclio_fs.urls import URL

CANARY = "c@n:ry/#%+ pw-7e1f"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def store_for(path: Path, **env: str) -> SecretStore:
    return SecretStore({"TENTACLIO__SECRETS_FILE": str(path), **env})


def resolved(store: SecretStore, request: str) -> URL:
    return store.resolve(URL.parse(request)).url


def test_yaml_url_strings_and_mappings(tmp_path):
    path = write(
        tmp_path / "s.yml",
        """
secrets:
  db_1: postgresql://user1:pass1@myhost.com/database_1
  landing:
    url: sftp://sftp.example.com:2222/uploads/
    username: alice
    password: ${LANDING_PASSWORD}
    options: {known_hosts: ~/.ssh/known_hosts}
""",
    )
    store = store_for(path, LANDING_PASSWORD=CANARY)
    assert resolved(store, "postgresql://myhost.com/database_1").password == "pass1"
    resolution = store.resolve(URL.parse("sftp://sftp.example.com:2222/uploads/x.csv"))
    assert (resolution.url.username, resolution.url.password) == ("alice", CANARY)
    assert resolution.options == {"known_hosts": "~/.ssh/known_hosts"}


def test_interpolated_user_and_password_in_a_url_string_are_encoded(tmp_path):
    # case 10: ${PASS} holding p@ss/w:rd must not change the host
    path = write(
        tmp_path / "s.yml", "secrets:\n  x: ftp://${USER_NAME}:${PASS}@ftp.example.com/in\n"
    )
    store = store_for(path, PASS="p@ss/w:rd", USER_NAME="me@corp")
    url = resolved(store, "ftp://ftp.example.com/in/f")
    assert (url.username, url.password, url.host) == ("me@corp", "p@ss/w:rd", "ftp.example.com")


def test_interpolation_outside_the_user_part_is_raw(tmp_path):
    path = write(tmp_path / "s.yml", "secrets:\n  x: s3://k:s@${BUCKET}/\n")
    assert resolved(store_for(path, BUCKET="my-bucket"), "s3://my-bucket/key").username == "k"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # case 14
        ("secrets:\n  five: 5\n", "'five'"),
        ("secrets:\n  bad: [unclosed\n", "not valid YAML at line"),
        ("", "is empty"),
        ("other: {}\n", "no top-level 'secrets:'"),
        ("secrets: [1, 2]\n", "must be a mapping"),
        ("secrets:\n  m: {url: 'ftp://h/', colour: blue}\n", "unknown keys ['colour']"),
        ("secrets:\n  m: {username: u}\n", "no 'url'"),
        ("secrets:\n  m: {url: 'ftp://h/', options: 3}\n", "'options' must be a mapping"),
        ("secrets:\n  m: ftp://u:${MISSING_VAR}@h/\n", "${MISSING_VAR}, which is not set"),
        ("secrets:\n  m: {url: 'ftp://u:p@h/', password: q}\n", "both in its url"),
        ("secrets:\n  raw: 'sftp://u:abc/def@host/'\n", "percent-encode"),
    ],
)
def test_malformed_files_get_one_clear_error_naming_file_and_key(tmp_path, text, problem):
    path = write(tmp_path / "s.yml", text)
    with pytest.raises((SecretError, SecretsFileError)) as caught:
        store_for(path).index()
    message = str(caught.value)
    assert problem in message
    assert str(path) in message
    assert "abc/def" not in message


def test_a_yaml_error_does_not_quote_the_line_it_failed_on(tmp_path):
    path = write(tmp_path / "s.yml", f"secrets:\n  x: ftp://u:{CANARY}@h/\n   bad: : [\n")
    with pytest.raises(SecretsFileError) as caught:
        store_for(path).index()
    assert CANARY not in str(caught.value)
    assert "ftp://" not in str(caught.value)


def test_a_missing_file_names_the_variable(tmp_path):
    with pytest.raises(SecretsFileError, match="TENTACLIO__SECRETS_FILE"):
        store_for(tmp_path / "nope.yml").index()


@pytest.mark.parametrize(
    "value",
    [
        "s3://AKIDEXAMPLE:abc/def@bucket",  # case 20
        "sftp://alice:ab#cd@host/",
        "sftp://alice:ab?cd@host/",
        "sftp://user:12/34@host/",  # a raw / that leaves a numeric "port"
        "ftp://alice:p@ss/word@ftp.example.com/in/",  # a raw @ then / would name host "ss"
        "ftp://alice:p@ss#word@ftp.example.com/in/",
        "ftp://alice:p@ss?word=1@ftp.example.com/in/",
    ],
)
def test_a_raw_reserved_character_in_an_env_secret_names_the_variable_only(value):
    # case 9
    with pytest.raises(SecretError) as caught:
        SecretStore({"TENTACLIO__CONN__LANDING": value}).index()
    message = str(caught.value)
    assert "TENTACLIO__CONN__LANDING" in message
    assert "percent-encode" in message
    for fragment in ("abc", "def", "ab#cd", "ab?cd", "12/34", "AKIDEXAMPLE", "p@ss", "word@"):
        assert fragment not in message


def test_the_encoded_form_works():
    url = resolved(
        SecretStore({"TENTACLIO__CONN__S3": "s3://AKID:abc%2Fdef@bucket"}), "s3://bucket/k"
    )
    assert url.password == "abc/def"


def test_several_files_separated_by_pathsep(tmp_path):
    first = write(tmp_path / "a.yml", "secrets:\n  a: ftp://ua:pa@a.example.com/\n")
    second = write(tmp_path / "b.yml", "secrets:\n  b: ftp://ub:pb@b.example.com/\n")
    store = SecretStore({"TENTACLIO__SECRETS_FILE": f"{first}{os.pathsep}{second}"})
    assert resolved(store, "ftp://a.example.com/x").username == "ua"
    assert resolved(store, "ftp://b.example.com/x").username == "ub"


def test_a_changed_file_takes_effect_on_the_next_call(tmp_path):
    path = write(tmp_path / "s.yml", "secrets:\n  x: ftp://old:p@h/\n")
    store = store_for(path)
    assert resolved(store, "ftp://h/f").username == "old"
    write(path, "secrets:\n  x: ftp://newer:p@h/\n")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert resolved(store, "ftp://h/f").username == "newer"


def test_a_changed_environment_takes_effect_on_the_next_call():
    env = {"TENTACLIO__CONN__X": "ftp://old:p@h/"}
    store = SecretStore(env)
    assert resolved(store, "ftp://h/f").username == "old"
    env["TENTACLIO__CONN__X"] = "ftp://new:p@h/"
    assert resolved(store, "ftp://h/f").username == "new"
    del env["TENTACLIO__CONN__X"]
    assert resolved(store, "ftp://h/f").username is None


def test_the_default_store_follows_os_environ(monkeypatch):
    from tentaclio_fs import authenticate

    monkeypatch.delenv("TENTACLIO__SECRETS_FILE", raising=False)
    monkeypatch.setenv("TENTACLIO__CONN__LIVE", "ftp://first:p@live.example.com/")
    assert authenticate("ftp://live.example.com/f").username == "first"
    monkeypatch.setenv("TENTACLIO__CONN__LIVE", "ftp://second:p@live.example.com/")
    assert authenticate("ftp://live.example.com/f").username == "second"


def test_a_file_readable_by_others_gets_a_warning_once(tmp_path):
    path = write(tmp_path / "s.yml", "secrets: {}\n", mode=0o644)
    store = store_for(path)
    with pytest.warns(SecretsFilePermissionWarning, match="chmod 600"):
        store.index()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.index()


def test_a_private_file_gets_no_warning(tmp_path):
    path = write(tmp_path / "s.yml", "secrets: {}\n", mode=0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store_for(path).index()


def test_secret_repr_and_logs_show_no_value(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path = write(
        tmp_path / "s.yml",
        f"secrets:\n  m:\n    url: sftp://h/\n    username: u\n    password: '{CANARY}'\n"
        "    options: {passphrase: 'key-passphrase-canary'}\n",
    )
    store = store_for(path)
    match = store.resolve(URL.parse("sftp://h/x")).match
    assert match is not None
    shown = repr(match) + repr(match.secret) + repr(store.index().secrets) + caplog.text
    assert CANARY not in shown
    assert "key-passphrase-canary" not in shown


@pytest.mark.parametrize(
    "change",
    [
        lambda: os.environ.__setitem__(
            "TENTACLIO__CONN__LIVE", "ftp://changed:p@live.example.com/"
        ),
        lambda: os.environ.update({"TENTACLIO__CONN__LIVE": "ftp://changed:p@live.example.com/"}),
        lambda: (
            os.environ.setdefault("TENTACLIO__CONN__LATER", "ftp://changed:p@live.example.com/x")
            and os.environ.pop("TENTACLIO__CONN__LIVE")
        ),
        lambda: os.environ.pop("TENTACLIO__CONN__LIVE"),
        lambda: os.environ.__delitem__("TENTACLIO__CONN__LIVE"),
    ],
)
def test_every_way_of_changing_os_environ_is_seen(monkeypatch, change):
    from tentaclio_fs import authenticate

    monkeypatch.delenv("TENTACLIO__SECRETS_FILE", raising=False)
    monkeypatch.setenv("TENTACLIO__CONN__LIVE", "ftp://first:p@live.example.com/")
    monkeypatch.delenv("TENTACLIO__CONN__LATER", raising=False)
    assert authenticate("ftp://live.example.com/x").username == "first"
    change()
    assert authenticate("ftp://live.example.com/x").username in ("changed", None)
    os.environ.pop("TENTACLIO__CONN__LATER", None)


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    path = tmp_path / "s.yml"
    path.write_bytes(b"secrets:\n  x: ftp://u:p\xff\xfe@h/\n")
    path.chmod(0o600)
    with pytest.raises(SecretsFileError, match="not UTF-8") as caught:
        store_for(path).index()
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_secrets_refuse_to_be_pickled():
    import pickle
    from urllib.parse import quote

    store = SecretStore({"TENTACLIO__CONN__X": f"ftp://u:{quote(CANARY, safe='')}@h/"})
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(store.index().secrets[0])
    with pytest.raises(TypeError):
        pickle.dumps(store.resolve(URL.parse("ftp://h/x")))
