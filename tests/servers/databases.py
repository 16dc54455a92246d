"""Real database servers for the tests: a password-checking PostgreSQL and a MariaDB account.

The machine's own PostgreSQL trusts every local connection, so it cannot tell a right password
from a wrong one: :class:`PostgresCluster` starts a private cluster from the installed binaries
(scram-sha-256, TLS, a free loopback port, a temporary directory) and removes it on ``stop()``.
MariaDB is the running server; :class:`MariaDBAccount` creates a database and a user with
``CANARY_PASSWORD`` as root and drops both on ``stop()``.

Both raise :class:`ServerUnavailable` with the reason when they cannot run; the tests turn that
into a skip, or a failure under ``CI=true``.
"""

from __future__ import annotations

import datetime
import glob
import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from tentaclio_fs.testing._base import LOOPBACK, LoopbackServer

if TYPE_CHECKING:
    import psycopg
    from psycopg.sql import SQL, Composed

    Query = str | SQL | Composed

__all__ = ["MariaDBAccount", "PostgresCluster", "ServerUnavailable"]

POSTGRES_DATABASE = "analytics"
MARIADB_DATABASE = "tentaclio_test"
MARIADB_USER = "tentaclio_test"


# A SQL statement and its pyformat parameters (None: no parameters, so '%' is literal).
Statement = tuple[str, dict[str, str] | None]


class ServerUnavailable(RuntimeError):
    """A database server cannot be started or reached; the message says why."""


def free_port() -> int:
    """A TCP port nobody listens on right now (PostgreSQL cannot bind port 0 itself)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL's bin directory (Debian layout, then PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    found = candidates[-1] if candidates else shutil.which("initdb")
    if not found:
        raise ServerUnavailable("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    return Path(found).parent


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


class PostgresCluster(LoopbackServer):
    """A throw-away PostgreSQL cluster that checks passwords (scram-sha-256) and offers TLS.

    ``admin_password`` belongs to the ``postgres`` superuser; ``user``/``password`` own the
    ``analytics`` database. initdb refuses to run as root, so as root the cluster runs as the
    ``postgres`` system user.
    """

    def __init__(self, user: str, password: str, database: str = POSTGRES_DATABASE) -> None:
        super().__init__()
        self.user, self.password, self.database = user, password, database
        self.admin_password = secrets.token_urlsafe(16)
        self._dir: Path | None = None
        self._bin = Path()
        self._run_as: list[str] = []

    def start(self) -> Self:
        self._bin = postgres_bin_dir()
        self._dir = Path(tempfile.mkdtemp(prefix="tentaclio-pg-"))
        self._run_as = self._switch_user(self._dir)
        pwfile = self._write(self._home / "pwfile", self.admin_password)
        self._initdb(pwfile)
        self._write_tls_files()
        self.port = free_port()
        self._pg_ctl("start", "-w", "-l", str(self._home / "log"), "-o", self._server_options())
        self.add_user(self.user, self.password)
        self._create_database()
        return self

    @property
    def _home(self) -> Path:
        """The cluster's temporary directory (data, sockets, TLS files, log)."""
        if self._dir is None:
            raise ServerUnavailable("the PostgreSQL cluster is not started")
        return self._dir

    def _create_database(self) -> None:
        from psycopg import sql

        self.admin_execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(self.database), sql.Identifier(self.user)
            )
        )

    def stop(self) -> None:
        if self._dir is None:
            return
        if (self._dir / "data" / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None

    def add_user(self, name: str, password: str) -> None:
        """Create (or re-password) a login role; the password is sent as a quoted literal."""
        from psycopg import sql

        exists = self.admin_query("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        verb = sql.SQL("ALTER" if exists else "CREATE")
        self.admin_execute(
            sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
                verb, sql.Identifier(name), sql.Literal(password)
            )
        )

    def admin_execute(self, statement: Query) -> None:
        """Run a statement as the superuser, in autocommit (CREATE DATABASE needs it)."""
        with self._admin_connection() as connection:
            connection.execute(statement)

    def admin_query(self, statement: Query, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._admin_connection() as connection:
            return connection.execute(statement, params).fetchall()

    def _admin_connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user="postgres",
            password=self.admin_password,
            dbname="postgres",
            autocommit=True,
            sslmode="disable",
        )

    def _switch_user(self, directory: Path) -> list[str]:
        if os.geteuid() != 0:
            return []
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise ServerUnavailable("running as root and there is no 'postgres' user") from None
        os.chown(directory, account.pw_uid, account.pw_gid)
        return [
            "setpriv",
            f"--reuid={account.pw_uid}",
            f"--regid={account.pw_gid}",
            "--clear-groups",
        ]

    def _write(self, path: Path, content: str | bytes) -> Path:
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        path.chmod(0o600)
        if self._run_as:
            shutil.chown(path, self._home.owner(), self._home.group())
        return path

    def _initdb(self, pwfile: Path) -> None:
        self._run(
            str(self._bin / "initdb"),
            "-D",
            str(self._home / "data"),
            "--auth=scram-sha-256",
            "--username=postgres",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        )

    def _write_tls_files(self) -> None:
        key_pem, cert_pem = self_signed_certificate(LOOPBACK)
        self._write(self._home / "server.key", key_pem)
        self._write(self._home / "server.crt", cert_pem)

    def _server_options(self) -> str:
        settings = {
            "listen_addresses": LOOPBACK,
            "ssl": "on",
            "ssl_cert_file": str(self._home / "server.crt"),
            "ssl_key_file": str(self._home / "server.key"),
            "fsync": "off",
        }
        options = ["-p", str(self.port), "-k", str(self._home)]
        for name, value in settings.items():
            options += ["-c", f"{name}={value}"]
        return shlex.join(options)

    def _pg_ctl(self, *arguments: str) -> None:
        self._run(str(self._bin / "pg_ctl"), "-D", str(self._home / "data"), *arguments)

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._run_as, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            log = self._dir / "log" if self._dir else None
            details = log.read_text()[-2000:] if log and log.exists() else result.stderr
            raise ServerUnavailable(f"{Path(command[0]).name} failed: {details.strip()}")


def self_signed_certificate(host: str) -> tuple[bytes, bytes]:
    """A private key and a one-day certificate for ``host``, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


class MariaDBAccount(LoopbackServer):
    """A database and a user with ``password`` on the running MariaDB/MySQL, made as root.

    The user exists for ``%``, ``localhost`` and ``127.0.0.1`` so that an anonymous-user row for
    localhost cannot shadow it, whichever way the client connects.
    """

    _HOSTS = ("%", "localhost", "127.0.0.1")

    def __init__(
        self,
        password: str,
        user: str = MARIADB_USER,
        database: str = MARIADB_DATABASE,
        port: int = 3306,
    ) -> None:
        super().__init__()
        self.user, self.password, self.database = user, password, database
        self.port = port

    def start(self) -> Self:
        statements: list[Statement] = [(f"CREATE DATABASE IF NOT EXISTS `{self.database}`", None)]
        for host in self._HOSTS:
            account = {"user": self.user, "host": host, "password": self.password}
            statements += [
                ("DROP USER IF EXISTS %(user)s@%(host)s", account),
                ("CREATE USER %(user)s@%(host)s IDENTIFIED BY %(password)s", account),
                (f"GRANT ALL ON `{self.database}`.* TO %(user)s@%(host)s", account),
            ]
        self._as_root(statements)
        return self

    def stop(self) -> None:
        statements: list[Statement] = [
            ("DROP USER IF EXISTS %(user)s@%(host)s", {"user": self.user, "host": host})
            for host in self._HOSTS
        ]
        statements.append((f"DROP DATABASE IF EXISTS `{self.database}`", None))
        self._as_root(statements)

    def _as_root(self, statements: list[Statement]) -> None:
        """Run ``statements`` as root; PyMySQL quotes each parameter as a string literal."""
        import pymysql

        try:
            connection = pymysql.connect(
                host=self.host, port=self.port, user="root", password="", connect_timeout=5
            )
        except pymysql.err.MySQLError as error:
            raise ServerUnavailable(
                f"MariaDB on {self.host}:{self.port} refused root: {error}"
            ) from None
        with connection, connection.cursor() as cursor:
            for statement, params in statements:
                cursor.execute(statement, params)
            connection.commit()
