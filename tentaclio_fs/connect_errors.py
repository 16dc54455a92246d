"""Turn a backend's connection failure into an error that says which secret to fix.

A refused login or an untrusted host key is the most common failure of all; the backend's own
exception names neither the secret nor the remedy.
"""

from __future__ import annotations

import contextlib
import ftplib
from collections.abc import Iterator

from .errors import HostKeyError, TentaclioError
from .secrets import Resolution

__all__ = [
    "LoginRefusedError",
    "TLSError",
    "connection_errors_explained",
    "http_errors_explained",
]


class LoginRefusedError(TentaclioError, PermissionError):
    """The server refused the credentials."""


class TLSError(TentaclioError, ConnectionError):
    """A server's TLS certificate is not trusted."""


class HTTPStatusError(TentaclioError, OSError):
    """An HTTP server answered with an error status."""


def _whose(resolution: Resolution) -> str:
    if resolution.match is None:
        return (
            "no secret matched this URL: add one as TENTACLIO__CONN__<NAME> or in the file "
            "named by TENTACLIO__SECRETS_FILE (tentaclio-fs which URL tells why none matched)"
        )
    return f"the credentials came from secret {resolution.match.secret.label}: check it"


@contextlib.contextmanager
def connection_errors_explained(resolution: Resolution) -> Iterator[None]:
    """Re-raise login and host-key failures with the secret's name and a fix."""
    url = resolution.url
    try:
        yield
    except ftplib.error_perm as error:
        if not str(error).startswith("530"):
            raise
        message = f"{url.scheme} login to {url.netloc} refused ({error}); {_whose(resolution)}"
        raise LoginRefusedError(message) from None
    except PermissionError:
        # sshfs turns asyncssh's PermissionDenied into a plain PermissionError
        raise LoginRefusedError(
            f"{url.scheme} login to {url.netloc} refused; {_whose(resolution)}"
        ) from None
    except Exception as error:
        kind = type(error).__name__
        module = type(error).__module__
        if not module.startswith("asyncssh"):
            raise
        if kind == "HostKeyNotVerifiable":
            port = url.port or 22
            raise HostKeyError(
                f"the SSH host key of {url.netloc} is not trusted: add it to ~/.ssh/known_hosts "
                f"(ssh-keyscan -p {port} {url.host} >> ~/.ssh/known_hosts), or name another "
                "file in the secret's known_hosts option"
            ) from None
        raise


@contextlib.contextmanager
def http_errors_explained(resolution: Resolution) -> Iterator[None]:
    """Name the cause of an HTTP failure that fsspec reports as a missing file or as aiohttp's
    own error, whose ``repr`` carries the request headers (Basic auth included)."""
    url = resolution.url
    try:
        yield
    except Exception as error:
        cause = _aiohttp_cause(error)
        if cause is None:
            raise
        kind = type(cause).__name__
        if kind == "ClientConnectorCertificateError":
            raise TLSError(
                f"the TLS certificate of {url.netloc} is not trusted "
                f"({getattr(cause, 'certificate_error', cause)}); "
                "add its CA to the system store, or point SSL_CERT_FILE at a bundle with it"
            ) from None
        status = getattr(cause, "status", None)
        if status in (401, 403):
            raise LoginRefusedError(
                f"{url.scheme} {status} from {url.netloc}; {_whose(resolution)}"
            ) from None
        if status is not None:
            message = getattr(cause, "message", "")
            raise HTTPStatusError(f"{url.scheme} {status} {message} from {url.netloc}") from None
        raise


def _aiohttp_cause(error: BaseException) -> BaseException | None:
    seen: BaseException | None = error
    while seen is not None:
        if type(seen).__module__.startswith("aiohttp"):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
