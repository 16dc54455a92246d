"""URL parsing and rendering: every case decodes once and renders back exactly."""

from __future__ import annotations

import pickle

import pytest

from tentaclio_fs.errors import URLError
from tentaclio_fs.urls import URL, authority_bounds

CANARY = "c@n:ry/#%+ pw-7e1f"


@pytest.mark.parametrize(
    ("text", "username", "password", "host", "port", "path"),
    [
        # case 1: encoded reserved characters decode exactly once
        (
            "sftp://alice:p%40ss%3Aw%2Frd%231@127.0.0.1:2222/",
            "alice",
            "p@ss:w/rd#1",
            "127.0.0.1",
            2222,
            "/",
        ),
        # case 2: + stays +, %2B is +, %20 is a space
        ("ftp://u:pass%2Bword@h/", "u", "pass+word", "h", None, "/"),
        ("ftp://u:pass+word@h/", "u", "pass+word", "h", None, "/"),
        ("ftp://u:pass%20word@h/", "u", "pass word", "h", None, "/"),
        # case 3: an encoded @ in the user is not a host separator
        ("ftp://user%40example.com:pw@h:21/x", "user@example.com", "pw", "h", 21, "/x"),
        # case 4: IPv6 literal
        ("ftp://[::1]:2121/x", None, None, "::1", 2121, "/x"),
        ("http://[2001:db8::1]/", None, None, "2001:db8::1", None, "/"),
        # case 5: empty password is not a missing password
        ("ftp://user:@host/", "user", "", "host", None, "/"),
        ("ftp://user@host/", "user", None, "host", None, "/"),
        # case 11: absolute sqlite path kept
        ("sqlite:////abs/dir/t.db", None, None, "", None, "//abs/dir/t.db"),
        ("sqlite:///relative.db", None, None, "", None, "/relative.db"),
        ("sqlite://", None, None, "", None, ""),
        # a raw @ in a password still parses: the last @ ends the user part
        ("sftp://u:p@ss@host/", "u", "p@ss", "host", None, "/"),
        ("s3://AKID:abc%2Fdef@bucket/key.csv", "AKID", "abc/def", "bucket", None, "/key.csv"),
    ],
)
def test_parse_decodes_user_and_password_once(text, username, password, host, port, path):
    url = URL.parse(text)
    assert (url.username, url.password, url.host, url.port, url.path) == (
        username,
        password,
        host,
        port,
        path,
    )


@pytest.mark.parametrize(
    "text",
    [
        "sftp://alice:p%40ss%3Aw%2Frd%231@127.0.0.1:2222/",
        "ftp://[::1]:2121/x",
        "ftp://user:@host/",
        "sqlite:////abs/dir/t.db",
        "http://127.0.0.1:8080/p?q=1",  # case 17: port and query kept
        "postgresql://hostname/db?sslmode=require&flag",
        "ftp://user%40example.com:pass%2Bword@h/",
        "https://host/a/b#section",
    ],
)
def test_render_gives_back_what_was_parsed(text):
    assert URL.parse(text).render(hide_password=False) == text


@pytest.mark.parametrize(
    "text",
    [
        f"sftp://alice:{CANARY.replace('%', '%25').replace('/', '%2F').replace('#', '%23')}@h/",
        "ftp://u:secretvalue@h/",
    ],
)
def test_str_and_repr_hide_the_password(text):
    url = URL.parse(text)
    secret = url.password
    assert secret
    for shown in (str(url), repr(url), url.render(), f"{url}", f"{url!r}"):
        assert secret not in shown
        assert "***" in shown


def test_an_empty_password_is_hidden_too():
    assert URL.parse("ftp://user:@host/").render() == "ftp://user:***@host/"


def test_a_pickled_url_carries_no_password():
    url = URL.parse("sftp://alice:pw%2Fsecret@host:22/data")
    restored = pickle.loads(pickle.dumps(url))
    assert b"secret" not in pickle.dumps(url)
    assert restored == url.replace(password=None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no-scheme/path", "must start with a scheme"),
        ("ftp://host:notaport/", "port"),
        ("ftp://host:99999/", "port"),
        ("ftp://[::1/", "closing"),
        ("ftp://::1/", "brackets"),
        ("s3://AKIDEXAMPLE:abc/def@bucket", "percent-encode"),  # case 20
        ("sftp://u:ab#cd@host/", "percent-encode"),
    ],
)
def test_malformed_urls_get_a_clear_error_that_quotes_nothing(text, problem):
    with pytest.raises(URLError) as caught:
        URL.parse(text)
    message = str(caught.value)
    assert problem in message
    for fragment in ("abc", "ab#cd", "notaport", "AKIDEXAMPLE"):
        assert fragment not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://h/db?sslmode=require&flag", (("sslmode", "require"), ("flag", None))),
        ("http://h/p?a=1&a=2", (("a", "1"), ("a", "2"))),
        ("http://h/p?x=a%2Bb&y=a+b", (("x", "a+b"), ("y", "a+b"))),
        ("http://h/p", ()),
    ],
)
def test_query_keeps_order_and_name_only_parameters(text, expected):
    assert URL.parse(text).query == expected


def test_scheme_is_case_insensitive_and_host_case_is_kept():
    url = URL.parse("S3://MyBucket/Key")
    assert (url.scheme, url.host) == ("s3", "MyBucket")


@pytest.mark.parametrize(
    ("text", "authority"),
    [
        ("sftp://u:p@host:22/path?q#f", "u:p@host:22"),
        ("s3://bucket", "bucket"),
        ("ftp://h?x=1", "h"),
        ("http://h#top", "h"),
        ("sqlite:////abs.db", ""),
        ("ftp://alice:p@ss/word@host/", "alice:p@ss"),
    ],
)
def test_authority_bounds(text, authority):
    start, end = authority_bounds(text)
    assert text[start:end] == authority
