"""The matching rules of design section 4, one table per rule, on plain data."""

from __future__ import annotations

import pytest

from tentaclio_fs.errors import AmbiguousSecretsError
from tentaclio_fs.secrets import SecretStore


def resolve(secrets: dict[str, str], request: str):
    """The URL (password shown) and the secret name chosen for ``request``, or (request, None)."""
    env = {f"TENTACLIO__CONN__{name}": url for name, url in secrets.items()}
    from tentaclio_fs.urls import URL

    resolution = SecretStore(env).resolve(URL.parse(request))
    name = (
        resolution.match.secret.name.removeprefix("TENTACLIO__CONN__") if resolution.match else None
    )
    return resolution.url.render(hide_password=False), name


# rule 1: scheme
@pytest.mark.parametrize(
    ("secret", "request_url", "matches"),
    [
        ("ftp://u:p@h/", "ftp://h/f", True),
        ("ftp://u:p@h/", "sftp://h/f", False),
        ("ftp://u:p@h/", "ftps://h/f", False),
        ("sftp://u:p@h/", "ssh://h/f", True),
        ("ssh://u:p@h/", "sftp://h/f", True),
        ("postgresql://u:p@h/db", "postgresql+psycopg://h/db", True),
        ("postgresql+psycopg2://u:p@h/db", "postgresql://h/db", True),
        ("mysql+pymysql://u:p@h/db", "postgresql://h/db", False),
        ("http://u:p@h/", "https://h/", False),
    ],
)
def test_rule_1_scheme_must_be_equal(secret, request_url, matches):
    assert (resolve({"S": secret}, request_url)[1] == "S") is matches


def test_rule_1_the_request_driver_is_kept():
    url, _ = resolve({"S": "postgresql://u:p@h/db"}, "postgresql+psycopg://h/db")
    assert url == "postgresql+psycopg://u:p@h/db"


# rule 2: host
@pytest.mark.parametrize(
    ("secret", "request_url", "expected"),
    [
        ("ftp://u:p@Host.Example.com/", "ftp://host.example.COM/f", "ftp://u:p@host.example.COM/f"),
        ("ftp://u:p@a.example.com/", "ftp://b.example.com/f", "ftp://b.example.com/f"),
        ("s3://k:s@MyBucket/", "s3://mybucket/f", "s3://mybucket/f"),
        ("s3://k:s@MyBucket/", "s3://MyBucket/f", "s3://k:s@MyBucket/f"),
        (
            "postgresql://u:p@db.example.com:5432/analytics",
            "postgresql://hostname/analytics",
            "postgresql://u:p@db.example.com:5432/analytics",
        ),
        ("ftp://u:p@ftp.example.com/", "ftp://hostname/x", "ftp://u:p@ftp.example.com/x"),
    ],
)
def test_rule_2_host_case_insensitive_except_buckets_and_wildcard(secret, request_url, expected):
    assert resolve({"S": secret}, request_url)[0] == expected


# rule 3: port (case 6)
@pytest.mark.parametrize(
    ("secret", "request_url", "expected"),
    [
        (
            "postgresql://u:p@db.example.com:5432/",
            "postgresql://db.example.com:6543/x",
            "postgresql://db.example.com:6543/x",
        ),
        (
            "postgresql://u:p@db.example.com:5432/",
            "postgresql://db.example.com:5432/x",
            "postgresql://u:p@db.example.com:5432/x",
        ),
        (
            "postgresql://u:p@db.example.com:5432/",
            "postgresql://db.example.com/x",
            "postgresql://u:p@db.example.com:5432/x",
        ),
        ("sftp://u:p@h/", "sftp://h:2222/x", "sftp://u:p@h:2222/x"),
    ],
)
def test_rule_3_a_given_port_is_never_changed(secret, request_url, expected):
    assert resolve({"S": secret}, request_url)[0] == expected


# rule 4: path prefix at a / boundary (case 7)
@pytest.mark.parametrize(
    ("secret_path", "request_path", "matches"),
    [
        ("/a", "/a", True),
        ("/a", "/a/b", True),
        ("/a/", "/a/b/c.csv", True),
        ("/a", "/ab", False),
        ("/a", "/", False),
        ("/a", "", False),
        ("", "/anything", True),
        ("/", "/anything", True),
        ("/analytics", "/", False),
    ],
)
def test_rule_4_path_prefix_at_a_slash_boundary(secret_path, request_path, matches):
    secret = f"ftp://u:p@h{secret_path}"
    assert (resolve({"S": secret}, f"ftp://h{request_path}")[1] == "S") is matches


# rule 5: user (case 8)
@pytest.mark.parametrize(
    ("request_url", "expected"),
    [
        ("ftp://user2@h/f", "ftp://user2:p2@h/f"),
        ("ftp://user1@h/f", "ftp://user1:p1@h/f"),
        ("ftp://user3@h/f", "ftp://user3@h/f"),
        ("ftp://user2:mine@h/f", "ftp://user2:mine@h/f"),
    ],
)
def test_rule_5_a_named_user_picks_that_users_secret(request_url, expected):
    secrets = {"ONE": "ftp://user1:p1@h/", "TWO": "ftp://user2:p2@h/"}
    assert resolve(secrets, request_url)[0] == expected


def test_rule_5_a_written_password_wins_even_without_a_user_match():
    assert resolve({"S": "ftp://u:p@h/"}, "ftp://u:mine@h/f") == ("ftp://u:mine@h/f", None)


# rule 6: best match
@pytest.mark.parametrize(
    ("secrets", "request_url", "winner"),
    [
        ({"ROOT": "ftp://a:1@h/", "DEEP": "ftp://b:2@h/data"}, "ftp://h/data/x", "DEEP"),
        ({"ROOT": "ftp://a:1@h/", "DEEP": "ftp://b:2@h/data"}, "ftp://h/other", "ROOT"),
        ({"NOPORT": "ftp://a:1@h/", "PORT": "ftp://b:2@h:21/"}, "ftp://h/x", "PORT"),
        ({"NOPORT": "ftp://a:1@h/", "PORT": "ftp://b:2@h:21/"}, "ftp://h:2121/x", "NOPORT"),
        ({"SAME1": "ftp://a:1@h/", "SAME2": "ftp://a:1@h/"}, "ftp://h/x", "SAME1"),
    ],
)
def test_rule_6_longest_prefix_then_port(secrets, request_url, winner):
    assert resolve(secrets, request_url)[1] == winner


def test_rule_6_environment_wins_over_file(tmp_path):
    from tentaclio_fs.urls import URL

    secrets_file = tmp_path / "secrets.yml"
    secrets_file.write_text("secrets:\n  from_file: ftp://filer:fp@h/\n")
    secrets_file.chmod(0o600)
    env = {
        "TENTACLIO__CONN__ENV": "ftp://envuser:ep@h/",
        "TENTACLIO__SECRETS_FILE": str(secrets_file),
    }
    resolution = SecretStore(env).resolve(URL.parse("ftp://h/x"))
    assert resolution.url.username == "envuser"
    assert "environment" in resolution.match.reason


def test_rule_6_a_tie_between_different_credentials_is_an_error_naming_both():
    with pytest.raises(AmbiguousSecretsError) as caught:
        resolve({"ONE": "ftp://a:secret1@h/", "TWO": "ftp://b:secret2@h/"}, "ftp://h/x")
    message = str(caught.value)
    assert "TENTACLIO__CONN__ONE" in message and "TENTACLIO__CONN__TWO" in message
    assert "secret1" not in message and "secret2" not in message


def test_wildcard_host_with_two_hosts_is_ambiguous():
    with pytest.raises(AmbiguousSecretsError):
        resolve(
            {"A": "postgresql://u:p@a/db", "B": "postgresql://v:q@b/db"}, "postgresql://hostname/db"
        )


# query merge (case 13): the request wins key by key
def test_secret_and_request_query_both_kept_request_wins():
    url, _ = resolve(
        {"S": "postgresql://u:p@db/x?application_name=etl&sslmode=disable"},
        "postgresql://hostname/x?sslmode=require",
    )
    assert url == "postgresql://u:p@db/x?application_name=etl&sslmode=require"


def test_nothing_matches_gives_the_url_as_written():
    assert resolve({}, "s3://bucket/key") == ("s3://bucket/key", None)


def test_near_misses_say_which_rule_excluded_each_secret():
    from tentaclio_fs.matching import SecretIndex
    from tentaclio_fs.secrets import secrets_from_env
    from tentaclio_fs.urls import URL

    env = {
        "TENTACLIO__CONN__PORT": "ftp://a:1@h:2121/",
        "TENTACLIO__CONN__USER": "ftp://b:2@h/",
        "TENTACLIO__CONN__PATH": "ftp://c@h/data",
    }
    index = SecretIndex(secrets_from_env(env))
    misses = {m.secret.name: m.reason for m in index.near_misses(URL.parse("ftp://c@h:21/other"))}
    assert "port 21" in misses["TENTACLIO__CONN__PORT"]
    assert "user 'c'" in misses["TENTACLIO__CONN__USER"]
    assert "path /other" in misses["TENTACLIO__CONN__PATH"]
