"""Per scheme: a resolved URL and a secret's options become a real fsspec backend.

Each :class:`Backend` knows three things about its scheme: the constructor keyword arguments
(credentials passed as arguments, never through a URL the backend would parse again), the path the
backend expects, and how to turn a path the backend returns back into a URL the user can pass
again. Backends are created once per set of credentials and reused.
"""

from __future__ import annotations

import base64
import ftplib
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import unquote

import fsspec
from fsspec import AbstractFileSystem

from .errors import BackendNotInstalledError, TentaclioError, UnsupportedSchemeError
from .frozen import frozen
from .urls import URL

__all__ = ["Backend", "backend_for_scheme", "filesystem_for"]


def _boolean(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes", "on", ""}


def _number(value: str | None) -> float:
    return float(value or 0)


def _text(value: str | None) -> str:
    return value or ""


def _optional_path(value: str | None) -> str | None:
    return None if value is None or value.lower() in {"none", "null", ""} else value


class Backend:
    """How one scheme maps onto its fsspec implementation."""

    protocol: ClassVar[str]
    package: ClassVar[str] = ""
    #: Query parameters accepted as options, each with the converter of its text value.
    query_options: ClassVar[Mapping[str, Callable[[str | None], Any]]] = {}
    #: Whether writes can go to a temporary name and be renamed into place on success.
    renames_into_place: ClassVar[bool] = True
    #: Whether ``cp_file`` copies on the server rather than through this process.
    copies_on_server: ClassVar[bool] = False
    #: Whether folders exist apart from the files in them (and must be made before a write).
    has_folders: ClassVar[bool] = True

    def block_size(self, mode: str, expected_size: int | None = None) -> int | None:
        """The block size to open with when the caller gives none (None: the backend's own)."""
        return None

    def kwargs(self, url: URL, options: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor keyword arguments for the backend of ``url``."""
        return {**self.connection_kwargs(url), **self.query_kwargs(url), **options}

    def connection_kwargs(self, url: URL) -> dict[str, Any]:
        """Host, port and credentials as the backend's constructor names them."""
        return {}

    def query_kwargs(self, url: URL) -> dict[str, Any]:
        """The request's query parameters as backend options (unknown ones are an error)."""
        unknown = [key for key, _ in url.query if key not in self.query_options]
        if unknown:
            known = ", ".join(sorted(self.query_options)) or "none"
            raise TentaclioError(
                f"{url.scheme} URLs take no query parameter {unknown[0]!r}; known: {known}"
            )
        return {key: self.query_options[key](value) for key, value in url.query}

    def path(self, url: URL) -> str:
        """The path of ``url`` as the backend names it."""
        return url.path or "/"

    def url_of(self, base: URL, path: str) -> str:
        """A URL for a ``path`` the backend returned, keeping ``base``'s host and user."""
        rooted = path if path.startswith("/") else "/" + path
        return base.replace(path=rooted, password=None, query=(), fragment=None).render()


class LocalBackend(Backend):
    """Local files: ``file://`` URLs (percent-encoded) and plain paths (taken literally)."""

    protocol = "file"

    def path(self, url: URL) -> str:
        return unquote(url.path) or "/"

    def url_of(self, base: URL, path: str) -> str:
        return path


class FTPBackend(Backend):
    """fsspec's FTP; ``ftps`` is FTP with explicit TLS."""

    protocol = "ftp"
    query_options = {"tls": _boolean, "timeout": _number, "encoding": _text}

    def connection_kwargs(self, url: URL) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"host": url.host, "port": url.port or 21}
        if url.username is not None:
            kwargs["username"] = url.username
            kwargs["password"] = url.password or ""
        if url.scheme == "ftps":
            kwargs["tls"] = True
        return kwargs


class SFTPBackend(Backend):
    """sshfs over asyncssh, checking host keys against known_hosts unless told otherwise."""

    protocol = "sftp"
    package = "sshfs"
    query_options = {"known_hosts": _optional_path, "client_keys": _text, "timeout": _number}

    def connection_kwargs(self, url: URL) -> dict[str, Any]:
        # asyncssh's own default, (), reads ~/.ssh/known_hosts; sshfs would turn checking off.
        kwargs: dict[str, Any] = {"host": url.host, "port": url.port or 22, "known_hosts": ()}
        if url.username is not None:
            kwargs["username"] = url.username
        if url.password is not None:
            kwargs["password"] = url.password
        return kwargs

    def kwargs(self, url: URL, options: Mapping[str, Any]) -> dict[str, Any]:
        kwargs = super().kwargs(url, options)
        known_hosts = kwargs["known_hosts"]
        if isinstance(known_hosts, str):
            kwargs["known_hosts"] = _optional_path(os.path.expanduser(known_hosts))
        keys = kwargs.get("client_keys")
        if isinstance(keys, str):
            kwargs["client_keys"] = [os.path.expanduser(keys)]
        return kwargs


_S3_BLOCK = 8 * 2**20
_S3_MAX_PARTS = 10_000


class S3Backend(Backend):
    """s3fs; with no key in the URL, boto's own chain (environment, config, roles) applies."""

    protocol = "s3"
    package = "s3fs"
    query_options = {"endpoint_url": _text, "region_name": _text, "anon": _boolean}
    # An S3 "rename" copies the whole object: an aborted multipart upload does the job instead.
    renames_into_place = False
    copies_on_server = True
    has_folders = False

    def connection_kwargs(self, url: URL) -> dict[str, Any]:
        if url.username is None:
            return {}
        return {"key": url.username, "secret": url.password or ""}

    def block_size(self, mode: str, expected_size: int | None = None) -> int | None:
        # s3fs buffers 50 MiB blocks and copies each once more to upload it: 150 MiB for one
        # stream. Smaller parts keep a copy within tens of MiB; S3 allows 10,000 parts, so a
        # known size gets parts large enough, and an unknown one 16 MiB parts (156 GiB at most).
        if "r" in mode:
            return _S3_BLOCK
        if expected_size is None:
            return 2 * _S3_BLOCK
        return max(_S3_BLOCK, -(-expected_size // _S3_MAX_PARTS))

    def kwargs(self, url: URL, options: Mapping[str, Any]) -> dict[str, Any]:
        kwargs = super().kwargs(url, options)
        region = kwargs.pop("region_name", None)
        if region is not None:
            kwargs["client_kwargs"] = {**kwargs.get("client_kwargs", {}), "region_name": region}
        return kwargs

    def path(self, url: URL) -> str:
        return url.host + (url.path or "")

    def url_of(self, base: URL, path: str) -> str:
        return "s3://" + path.lstrip("/")


class HTTPBackend(Backend):
    """fsspec's HTTP: Basic auth as a header, the query kept as part of the resource."""

    protocol = "http"
    package = "aiohttp"
    renames_into_place = False
    has_folders = False

    def kwargs(self, url: URL, options: Mapping[str, Any]) -> dict[str, Any]:
        headers = dict(options.get("headers") or {})
        if url.username is not None:
            pair = f"{url.username}:{url.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        kwargs = {key: value for key, value in options.items() if key != "headers"}
        if headers:
            kwargs["headers"] = headers
        return kwargs

    def path(self, url: URL) -> str:
        return url.without_credentials().replace(fragment=None).render()

    def url_of(self, base: URL, path: str) -> str:
        return path


_BACKENDS: dict[str, Backend] = {
    "file": LocalBackend(),
    "local": LocalBackend(),
    "ftp": FTPBackend(),
    "ftps": FTPBackend(),
    "sftp": SFTPBackend(),
    "ssh": SFTPBackend(),
    "s3": S3Backend(),
    "http": HTTPBackend(),
    "https": HTTPBackend(),
}


def backend_for_scheme(scheme: str) -> Backend:
    """The backend of a URL scheme; an unknown scheme is a clear error."""
    try:
        return _BACKENDS[scheme]
    except KeyError:
        known = ", ".join(sorted(_BACKENDS))
        raise UnsupportedSchemeError(
            f"no filesystem for scheme {scheme!r}; known: {known}"
        ) from None


_instances: dict[tuple[Any, ...], AbstractFileSystem] = {}
_last_used: dict[tuple[Any, ...], float] = {}
_instances_lock = threading.Lock()
#: An FTP server drops an idle control connection (often after 300 s): after this long unused,
#: a cached FTP connection is checked with NOOP before it is handed out, and replaced if dead.
FTP_IDLE_CHECK_SECONDS = 60.0


def filesystem_for(backend: Backend, kwargs: dict[str, Any]) -> AbstractFileSystem:
    """A backend instance for these arguments, made once per process (and per thread for FTP,
    whose control connection cannot be shared between threads)."""
    thread = threading.get_ident() if backend.protocol == "ftp" else 0
    key = (backend.protocol, frozen(kwargs), os.getpid(), thread)
    with _instances_lock:
        instance = _instances.get(key)
        idle = time.monotonic() - _last_used.get(key, 0.0)
        _last_used[key] = time.monotonic()
    if instance is not None and not (idle > FTP_IDLE_CHECK_SECONDS and _ftp_is_dead(instance)):
        return instance
    try:
        cls = fsspec.get_filesystem_class(backend.protocol)
    except ImportError:
        raise BackendNotInstalledError(f"{backend.protocol} URLs", backend.package) from None
    fresh = cls(**kwargs)
    with _instances_lock:
        if _instances.get(key) is instance:
            _instances[key] = fresh
        return _instances[key]


def _ftp_is_dead(instance: AbstractFileSystem) -> bool:
    connection = getattr(instance, "ftp", None)
    if connection is None:
        return False
    try:
        connection.voidcmd("NOOP")
    except (OSError, EOFError, AttributeError, ftplib.Error):  # AttributeError: closed socket
        return True
    return False
