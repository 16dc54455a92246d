"""Every error tentaclio_fs raises, in one place.

Messages name a secret by where it lives (an environment variable or a YAML key) and never by its
value, and each says how to fix the problem. Catch :class:`TentaclioError` to catch them all.
"""

from __future__ import annotations


class TentaclioError(Exception):
    """Base class of every tentaclio_fs error."""


class URLError(TentaclioError, ValueError):
    """A URL could not be parsed.

    The message describes the problem without quoting the URL, because the URL may carry a
    password.
    """


class UnsupportedSchemeError(TentaclioError, ValueError):
    """No backend is known for a URL scheme."""


class SecretError(TentaclioError, ValueError):
    """A secret (an environment variable or an entry of a secrets file) is malformed."""

    def __init__(self, secret_name: str, problem: str, fix: str = "") -> None:
        self.secret_name = secret_name
        message = f"secret {secret_name}: {problem}"
        if fix:
            message += f"; {fix}"
        super().__init__(message)


class SecretsFileError(TentaclioError, ValueError):
    """A secrets file cannot be read or does not have the expected shape."""

    def __init__(self, path: str, problem: str, fix: str = "") -> None:
        self.path = path
        message = f"secrets file {path}: {problem}"
        if fix:
            message += f"; {fix}"
        super().__init__(message)


class AmbiguousSecretsError(TentaclioError, LookupError):
    """Two secrets with different credentials match a URL equally well."""

    def __init__(self, url_text: str, names: list[str]) -> None:
        self.names = names
        joined = " and ".join(names)
        super().__init__(
            f"{url_text} matches {joined} equally well with different credentials; "
            "make one more specific (a longer path or a port), name the user in the URL, "
            "or remove one of them"
        )


class HostKeyError(TentaclioError, ConnectionError):
    """An SSH server's host key is not trusted."""


class BackendNotInstalledError(TentaclioError, ImportError):
    """The package a scheme or database needs is not installed."""

    def __init__(self, what: str, package: str) -> None:
        super().__init__(f"{what} needs {package}: pip install {package}")


class DatabaseError(TentaclioError):
    """A database refused a connection or a statement (credentials hidden)."""
