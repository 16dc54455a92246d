"""The ``tentaclio-fs`` command, run as a subprocess against the real loopback servers.

Every run goes through the ``cli`` fixture, which also asserts that no form of the canary
password reaches stdout or stderr: each test is a leak test too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

import tentaclio_fs as tio
from tentaclio_fs.testing import CANARY_PASSWORD, CANARY_USER

COMMANDS = ["ls", "cat", "cp", "rm", "which", "secrets", "secrets check", "db", "demo"]
PAYLOAD = bytes(range(256)) * 40 + b"end\n"
ENCODED = quote(CANARY_PASSWORD, safe="")
MiB = 2**20


@dataclasses.dataclass
class Result:
    code: int
    raw: bytes
    err: str

    @property
    def out(self) -> str:
        return self.raw.decode("utf-8", "replace")


def _run(args: list[str], prefix: list[str]) -> Result:
    done = subprocess.run(
        [*prefix, *args], env=os.environ, capture_output=True, timeout=600, check=False
    )
    return Result(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))


@pytest.fixture
def cli(canary_forms):
    """Run ``python -m tentaclio_fs ARGS``; fail on any trace of the canary in its output."""

    def run(*args: str, prefix: tuple[str, ...] = (sys.executable, "-m", "tentaclio_fs")):
        result = _run(list(args), list(prefix))
        for form in canary_forms:
            assert form not in result.out, f"secret in stdout of {args[0]}"
            assert form not in result.err, f"secret in stderr of {args[0]}"
        return result

    return run


def _one_error_line(result: Result, *words: str) -> None:
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("tentaclio-fs: ")
    for word in words:
        assert word in lines[0]


def _put(url: str, data: bytes = PAYLOAD) -> None:
    with tio.open(url, "wb") as writer:
        writer.write(data)


def _get(url: str) -> bytes:
    with tio.open(url, "rb") as reader:
        return reader.read()


# -- the command as a whole -----------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(cli, command):
    result = cli(*command.split(), "--help")
    assert result.code == 0
    assert result.out.startswith(f"Usage: tentaclio-fs {command}")


def test_the_console_script_is_the_same_command(cli):
    script = Path(sys.executable).with_name("tentaclio-fs")
    result = cli("--help", prefix=(str(script),))
    assert result.code == 0
    assert all(name.split()[0] in result.out for name in COMMANDS)


@pytest.mark.parametrize("args", [["ls"], ["cp", "only-one"], ["nope"], ["ls", "--bogus", "x"]])
def test_usage_errors_exit_2(cli, args):
    assert cli(*args).code == 2


def test_an_error_is_one_line_and_a_traceback_only_with_debug(cli, local):
    _one_error_line(cli("cat", f"{local}/missing.txt"), "FileNotFoundError")
    debug = cli("--debug", "cat", f"{local}/missing.txt")
    assert debug.code == 1
    assert "Traceback" in debug.err


@pytest.mark.parametrize("command", [["ls"], ["cat"], ["rm"], ["cp", "-r"]])
def test_a_missing_file_is_named(cli, sftp, local, command):
    missing = f"{sftp}/nowhere/missing.csv"
    args = [*command, missing] + ([local] if command[0] == "cp" else [])
    _one_error_line(cli(*args), "FileNotFoundError" if command[0] != "cp" else "", missing)


# -- ls, cat, cp, rm ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["local", "ftp", "sftp", "s3", "http"])
def test_ls_short_and_long(cli, request, http_server, backend):
    base = request.getfixturevalue(backend)
    folder = _folder_with_files(base, backend, http_server)
    short = cli("ls", folder)
    assert short.code == 0, short.err
    assert short.out.splitlines() == [f"{folder}/a.bin", f"{folder}/sub/"]
    long = cli("ls", "-l", folder)
    assert long.code == 0, long.err
    file_line, dir_line = long.out.splitlines()
    assert file_line.split()[:2] == ["file", str(len(PAYLOAD))]
    assert file_line.endswith(f"{folder}/a.bin")
    assert dir_line.split()[0] == "dir"
    assert dir_line.endswith(f"{folder}/sub/")
    if backend != "http":  # the only backend without modified times
        assert len(file_line.split()) == 5  # type, size, date, time, URL


def _folder_with_files(base: str, backend: str, http_server) -> str:
    name = f"t-{os.urandom(4).hex()}"
    if backend == "http":
        (http_server.root / name / "sub").mkdir(parents=True)
        (http_server.root / name / "a.bin").write_bytes(PAYLOAD)
        (http_server.root / name / "sub" / "b.txt").write_bytes(b"b\n")
    else:
        _put(f"{base}/{name}/a.bin")
        _put(f"{base}/{name}/sub/b.txt", b"b\n")
    return f"{base}/{name}"


@pytest.mark.parametrize("backend", ["local", "ftp", "sftp", "s3", "http"])
def test_cat_streams_the_exact_bytes(cli, request, http_server, backend):
    folder = _folder_with_files(request.getfixturevalue(backend), backend, http_server)
    result = cli("cat", f"{folder}/a.bin")
    assert result.code == 0, result.err
    assert result.raw == PAYLOAD


@pytest.mark.parametrize(
    ("source", "destination"),
    [("sftp", "s3"), ("s3", "ftp"), ("ftp", "sftp"), ("http", "local"), ("local", "s3")],
)
def test_cp_any_backend_to_any_backend(cli, request, http_server, source, destination):
    folder = _folder_with_files(request.getfixturevalue(source), source, http_server)
    target = f"{request.getfixturevalue(destination)}/t-{os.urandom(4).hex()}/copy.bin"
    result = cli("cp", f"{folder}/a.bin", target)
    assert (result.code, result.err) == (0, "")  # no progress bar when stderr is piped
    assert _get(target) == PAYLOAD


def test_cp_into_a_folder_keeps_the_name(cli, sftp, ftp):
    _put(f"{sftp}/in/report.csv")
    result = cli("cp", f"{sftp}/in/report.csv", f"{ftp}/out/")
    assert result.code == 0, result.err
    assert _get(f"{ftp}/out/report.csv") == PAYLOAD


def test_cp_recursive_keeps_relative_paths(cli, sftp, s3):
    tree = {"a.csv": b"a\n", "sub/b.csv": b"b\n", "sub/deeper/c.csv": b"c\n"}
    for name, data in tree.items():
        _put(f"{sftp}/tree/{name}", data)
    result = cli("cp", "-r", f"{sftp}/tree", f"{s3}/copied")
    assert result.code == 0, result.err
    assert {name: _get(f"{s3}/copied/{name}") for name in tree} == tree


def test_cp_of_a_missing_file_fails_and_writes_nothing(cli, ftp, s3):
    result = cli("cp", f"{ftp}/nowhere.csv", f"{s3}/x.csv")
    _one_error_line(result, "FileNotFoundError")
    assert not tio.exists(f"{s3}/x.csv")


@pytest.mark.parametrize("backend", ["local", "ftp", "sftp", "s3"])
def test_rm_a_file_and_a_folder(cli, request, http_server, backend):
    folder = _folder_with_files(request.getfixturevalue(backend), backend, http_server)
    assert cli("rm", f"{folder}/a.bin").code == 0
    assert not tio.exists(f"{folder}/a.bin")
    _one_error_line(cli("rm", f"{folder}/sub"), "use rm -r")
    assert cli("rm", "-r", f"{folder}/sub").code == 0
    assert not tio.exists(f"{folder}/sub/b.txt")


# -- a large copy: memory stays flat ----------------------------------------------------------

# The child reports its own peak resident memory as it exits. VmHWM, not getrusage: on Linux,
# ru_maxrss survives exec, so a child forked from a large pytest process would report the
# parent's peak.
MEASURED = """
import atexit, sys
def report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\npeak_rss_kib={peak}\\n")
atexit.register(report)
from tentaclio_fs.cli import main
main(prog_name="tentaclio-fs")
"""


def _peak_mib(result: Result) -> float:
    line = [text for text in result.err.splitlines() if text.startswith("peak_rss_kib=")][-1]
    return int(line.partition("=")[2]) / 1024


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
@pytest.mark.parametrize("progress", ["--progress", "--no-progress"])
def test_cp_of_300_mib_from_sftp_to_s3_keeps_memory_flat(cli, sftp, s3, sftp_server, progress):
    """Ten times the data, the same memory: the peak of a 300 MiB copy is that of a 30 MiB one
    (give or take allocator noise), and well under the file's size."""
    small, _ = _copy_measured(cli, sftp, s3, sftp_server, 30 * MiB, progress)
    big, messages = _copy_measured(cli, sftp, s3, sftp_server, 300 * MiB + 12_345, progress)
    # A bar only when asked (stderr is a pipe here) and only for a copy that takes a while.
    assert ("B/s" in messages) == (progress == "--progress")
    print(f"peak RSS of cp {progress}: 300 MiB file {big:.0f} MiB, 30 MiB file {small:.0f} MiB")
    assert big < 200
    assert big - small < 32


def _copy_measured(cli, sftp, s3, sftp_server, size: int, progress: str) -> tuple[float, str]:
    """Copy a new file of ``size`` bytes from SFTP to S3 and check it; the child's peak in MiB
    and its stderr."""
    name = f"big-{os.urandom(4).hex()}.bin"
    expected = _write_big_file(sftp_server.root / name, size)
    try:
        measured = (sys.executable, "-c", MEASURED)
        result = cli("cp", progress, f"{sftp}/{name}", f"{s3}/{name}", prefix=measured)
    finally:
        (sftp_server.root / name).unlink()
    assert result.code == 0, result.err
    digest = hashlib.sha256()
    with tio.open(f"{s3}/{name}", "rb") as copied:
        while chunk := copied.read(8 * MiB):
            digest.update(chunk)
    assert digest.hexdigest() == expected
    tio.remove(f"{s3}/{name}")
    return _peak_mib(result), result.err


def _write_big_file(path: Path, size: int) -> str:
    """Random, incompressible, not sparse; returns its SHA-256."""
    block = os.urandom(MiB)
    digest = hashlib.sha256()
    with path.open("wb") as stream:
        for offset in range(0, size, MiB):
            data = block[: min(MiB, size - offset)]
            stream.write(data)
            digest.update(data)
    return digest.hexdigest()


# -- which: one case per matching rule -------------------------------------------------------


def _secret_url(scheme_host_path: str, user: str = CANARY_USER) -> str:
    scheme, _, rest = scheme_host_path.partition("://")
    return f"{scheme}://{quote(user, safe='')}:{ENCODED}@{rest}"


# (secrets as {name: "env"|"file", url}, request, exit code, chosen secret, text in the output)
WHICH_CASES = {
    "scheme": (
        {"FTP": ("env", "ftp://h.example/"), "SFTP": ("env", "sftp://h.example/")},
        "sftp://h.example/data.csv",
        0,
        "TENTACLIO__CONN__SFTP",
        "url:    sftp://canary:***@h.example/data.csv",
    ),
    "ssh is sftp": (
        {"SFTP": ("env", "sftp://h.example/")},
        "ssh://h.example/data.csv",
        0,
        "TENTACLIO__CONN__SFTP",
        "ssh://canary:***@h.example/data.csv",
    ),
    "host, ignoring case": (
        {"A": ("env", "ftp://a.example/"), "B": ("env", "ftp://b.example/")},
        "ftp://B.EXAMPLE/x",
        0,
        "TENTACLIO__CONN__B",
        "path prefix",
    ),
    "hostname is a wildcard": (
        {"ONLY": ("env", "sftp://only.example:2222/")},
        "sftp://hostname/x",
        0,
        "TENTACLIO__CONN__ONLY",
        "sftp://canary:***@only.example:2222/x",
    ),
    "port": (
        {"P21": ("env", "ftp://h.example:21/"), "P2121": ("env", "ftp://h.example:2121/")},
        "ftp://h.example:2121/x",
        0,
        "TENTACLIO__CONN__P2121",
        "ftp://canary:***@h.example:2121/x",
    ),
    "path prefix": (
        {"ROOT": ("env", "sftp://h.example/"), "A": ("env", "sftp://h.example/a")},
        "sftp://h.example/a/b.csv",
        0,
        "TENTACLIO__CONN__A",
        "path prefix '/a'",
    ),
    "path prefix at a / boundary": (
        {"ROOT": ("env", "sftp://h.example/"), "A": ("env", "sftp://h.example/a")},
        "sftp://h.example/ab.csv",
        0,
        "TENTACLIO__CONN__ROOT",
        "path prefix '/'",
    ),
    "user": (
        {"ALICE": ("env", "ftp://h.example/", "alice"), "BOB": ("env", "ftp://h.example/", "bob")},
        "ftp://bob@h.example/x",
        0,
        "TENTACLIO__CONN__BOB",
        "ftp://bob:***@h.example/x",
    ),
    "best match: a port over none": (
        {"ANY": ("env", "ftp://h.example/"), "PORT": ("env", "ftp://h.example:21/")},
        "ftp://h.example/x",
        0,
        "TENTACLIO__CONN__PORT",
        "a port over a secret without one",
    ),
    "best match: the environment over the file": (
        {"from_file": ("file", "ftp://h.example/"), "ENV": ("env", "ftp://h.example/", "other")},
        "ftp://h.example/x",
        0,
        "TENTACLIO__CONN__ENV",
        "the environment over the secrets file",
    ),
    "none, a near miss by port": (
        {"P21": ("env", "ftp://h.example:21/")},
        "ftp://h.example:2121/x",
        1,
        None,
        "TENTACLIO__CONN__P21 (environment): port 2121 is not the secret's port 21",
    ),
    "none, a near miss by user": (
        {"ALICE": ("env", "ftp://h.example/", "alice")},
        "ftp://bob@h.example/x",
        1,
        None,
        "user 'bob' is not the secret's user",
    ),
    "none, a near miss by host": (
        {"TYPO": ("env", "ftp://h.exampel/")},
        "ftp://h.example/x",
        1,
        None,
        "host h.example is not the secret's host h.exampel",
    ),
    "none at all": ({}, "s3://bucket/key", 1, None, "no secret at all for s3://"),
}


@pytest.mark.parametrize("case", WHICH_CASES.values(), ids=WHICH_CASES.keys())
def test_which_names_the_secret_and_the_rule(cli, secrets, monkeypatch, case):
    given, request, code, chosen, text = case
    _install(given, secrets, monkeypatch)
    result = cli("which", request)
    assert result.code == code, result.err
    assert text in result.out
    if chosen:
        assert f"secret: {chosen}\n" in result.out
        assert "source: environment" in result.out
    else:
        assert result.out.startswith("no secret matches")


def _install(given, secrets, monkeypatch) -> None:
    for name, (where, url, *user) in given.items():
        full = _secret_url(url, *user)
        if where == "env":
            monkeypatch.setenv(f"TENTACLIO__CONN__{name}", full)
        else:
            secrets.add(name, full)


def test_which_reports_a_tie_as_one_line_naming_both(cli, secrets, monkeypatch):
    monkeypatch.setenv("TENTACLIO__CONN__ONE", _secret_url("ftp://h.example/"))
    monkeypatch.setenv("TENTACLIO__CONN__TWO", _secret_url("ftp://h.example/", "someone"))
    result = cli("which", "ftp://h.example/x")
    _one_error_line(result, "AmbiguousSecretsError", "TENTACLIO__CONN__ONE", "TENTACLIO__CONN__TWO")


def test_which_shows_the_file_a_secret_comes_from(cli, secrets, ftp):
    result = cli("which", f"{ftp}/in/x.csv")
    assert result.code == 0
    assert result.out.splitlines()[:2] == ["secret: ftp", f"source: {secrets.path}"]


# -- secrets, secrets check --------------------------------------------------------------------


def test_secrets_lists_every_secret_without_values(cli, secrets, monkeypatch, ftp, sftp, s3):
    monkeypatch.setenv("TENTACLIO__CONN__WAREHOUSE", _secret_url("postgresql://db.example:5432/dw"))
    result = cli("secrets")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["NAME", "SOURCE", "SCHEME", "HOST", "PORT", "PATH"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows["TENTACLIO__CONN__WAREHOUSE"] == [
        "environment", "postgresql", "db.example", "5432", "/dw"
    ]  # fmt: skip
    assert rows["s3"] == [str(secrets.path), "s3", "tentaclio-test", "/"]
    assert set(rows) == {"TENTACLIO__CONN__WAREHOUSE", "ftp", "sftp", "s3"}


def test_secrets_check_passes_a_good_setup(cli, ftp, sftp):
    result = cli("secrets", "check")
    assert (result.code, result.out) == (0, "ok: 2 secrets, 1 secrets files\n")


def test_secrets_check_reports_every_problem_at_once(cli, secrets, monkeypatch, tmp_path):
    monkeypatch.setenv("TENTACLIO__CONN__BAD", "sftp://u:abc/def@host/")
    monkeypatch.setenv("TENTACLIO__CONN__NOT_A_URL", "just text")
    monkeypatch.setenv("TENTACLIO__CONN__GOOD", _secret_url("ftp://h.example/"))
    monkeypatch.setenv("TENTACLIO__CONN__CLASH", f"ftp://{CANARY_USER}:{ENCODED}x@h.example/")
    monkeypatch.setenv("TENTACLIO_CONN_TYPO", "ftp://u:p@h/")
    secrets.add("fine", _secret_url("sftp://h.example/"))
    secrets.add("unknown_key", {"url": "sftp://h.example/", "passwd": CANARY_PASSWORD})
    secrets.add("missing_var", {"url": "sftp://h.example/", "password": "${NOT_SET_ANYWHERE}"})
    secrets.add("number", 42)
    broken = tmp_path / "broken.yml"
    broken.write_text(f"secrets: [{CANARY_PASSWORD}\n")
    shared = tmp_path / "shared.yml"
    shared.write_text("secrets:\n  x: ftp://a.example/\n")
    shared.chmod(0o644)
    files = [str(secrets.path), str(broken), str(tmp_path / "absent.yml"), str(shared)]
    monkeypatch.setenv("TENTACLIO__SECRETS_FILE", os.pathsep.join(files))
    result = cli("secrets", "check")
    assert result.code == 1
    problems = [line for line in result.out.splitlines() if line.startswith("problem: ")]
    expected = [
        "TENTACLIO__CONN__BAD",
        "TENTACLIO__CONN__NOT_A_URL",
        "TENTACLIO_CONN_TYPO",
        "'unknown_key'",
        "'missing_var'",
        "'number'",
        f"{broken}: is not valid YAML",
        f"{tmp_path / 'absent.yml'}: cannot be read",
        f"{shared}: can be read by other users",
        "TENTACLIO__CONN__CLASH (environment) and TENTACLIO__CONN__GOOD (environment)",
    ]
    assert len(problems) == len(expected), result.out
    for word in expected:
        assert len([problem for problem in problems if word in problem]) == 1, word
    assert "abc" not in result.out + result.err
    assert result.out.splitlines()[-1] == "10 problems; 4 secrets, 4 secrets files read"


@pytest.mark.parametrize("command", [["secrets"], ["ls", "ftp://h.example/"], ["which", "x://y"]])
def test_a_malformed_secret_is_named_never_shown(cli, secrets, monkeypatch, command):
    monkeypatch.setenv("TENTACLIO__CONN__BAD", "sftp://u:abc/def@host/")
    result = cli(*command)
    _one_error_line(result, "TENTACLIO__CONN__BAD")
    assert "abc" not in result.err + result.out


# -- db, demo ------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    path = tmp_path / "readings.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table readings (region text, kwh real, note text)")
        connection.executemany(
            "insert into readings values (?, ?, ?)",
            [("north", 12.5, "ok"), ("south", 7.25, None), ("east", 100.0, "peak")],
        )
    return f"sqlite:///{path}"


def test_db_prints_the_rows_as_a_table(cli, secrets, sqlite_url):
    result = cli("db", sqlite_url, "select region, kwh, note from readings order by kwh")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "region    kwh  note",
        "------  -----  ----",
        "south    7.25",
        "north    12.5  ok",
        "east    100.0  peak",
        "(3 rows)",
    ]


def test_db_with_no_rows_and_with_bad_sql(cli, secrets, sqlite_url):
    empty = cli("db", sqlite_url, "select * from readings where kwh < 0")
    assert (empty.code, empty.out) == (0, "(0 rows)\n")
    _one_error_line(cli("db", sqlite_url, "select * from nowhere"), "nowhere")


def test_demo_runs_the_main_job(cli):
    result = cli("demo", "--rows", "2000")
    assert result.code == 0, result.err
    assert "checked: 2,000 rows" in result.out


# -- canary: no subcommand prints a secret, error paths included ---------------------------


@pytest.fixture
def wrong_password(ftp_server, sftp_server, s3_server, secrets):
    """Secrets for every server whose password is the canary plus a suffix: refused logins."""
    wrong = CANARY_PASSWORD + "-wrong"
    ftp_base = f"ftp://127.0.0.1:{ftp_server.port}"
    sftp_base = f"sftp://127.0.0.1:{sftp_server.port}"
    secrets.add("ftp", {"url": ftp_base + "/", "username": CANARY_USER, "password": wrong})
    secrets.add(
        "sftp",
        {
            "url": sftp_base + "/",
            "username": CANARY_USER,
            "password": wrong,
            "options": {"known_hosts": str(sftp_server.known_hosts)},
        },
    )
    return ftp_base, sftp_base


def test_refused_logins_name_the_secret_not_its_password(cli, wrong_password, tmp_path):
    ftp_base, sftp_base = wrong_password
    local = tmp_path / "x.txt"
    local.write_text("x")
    for args in (
        ["ls", "-l", f"{ftp_base}/"],
        ["cat", f"{sftp_base}/x.txt"],
        ["cp", str(local), f"{ftp_base}/x.txt"],
        ["cp", "-r", f"{sftp_base}/", str(tmp_path / "out")],
        ["rm", f"{sftp_base}/x.txt"],
        ["rm", "-r", f"{ftp_base}/folder"],
    ):
        result = cli(*args)
        assert result.code == 1, args
        assert len(result.err.strip().splitlines()) == 1, result.err


def test_inline_credentials_are_hidden_in_every_output(cli, secrets, ftp_server, sftp):
    inline = f"ftp://{CANARY_USER}:{ENCODED}@127.0.0.1:{ftp_server.port}"
    _put(f"{inline}/in/a.bin")
    listing = cli("ls", "-l", f"{inline}/in")
    assert listing.code == 0, listing.err
    assert f"ftp://{CANARY_USER}@127.0.0.1:{ftp_server.port}/in/a.bin" in listing.out
    assert cli("cat", f"{inline}/in/a.bin").raw == PAYLOAD
    assert cli("cp", f"{inline}/in/a.bin", f"{sftp}/from-inline.bin").code == 0
    _one_error_line(cli("cat", f"{inline}/in/missing.bin"), "FileNotFoundError")
    _one_error_line(cli("rm", f"{inline}/in"), "***", "use rm -r")
    which = cli("which", f"{inline}/in/a.bin")
    assert which.code == 1
    assert which.out.startswith(f"no secret matches ftp://{CANARY_USER}:***@127.0.0.1:")
    assert cli("rm", "-r", f"{inline}/in").code == 0


def test_secrets_and_which_never_show_a_password(cli, ftp, sftp, s3, http):
    for args in (["secrets"], ["secrets", "check"], ["which", f"{s3}/k"], ["which", f"{http}/"]):
        assert cli(*args).code == 0
