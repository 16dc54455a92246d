"""``TentaclioFileSystem``: the ``tentaclio`` protocol, credentials injected per URL.

Its paths are full URLs (``sftp://host/data.csv``, ``s3://bucket/key``) or plain local paths.
Every call resolves the URL through the secrets store, gets the backend made for those
credentials, and delegates, as fsspec's ``DirFileSystem`` does, turning the paths the backend
returns back into URLs. Chained (``tentaclio::sftp://host/x``) the filesystem is bound to the
inner protocol and host, and accepts the inner layer's stripped paths too.

Nothing secret is kept in ``storage_options``: a pickled filesystem carries no credentials and
the process that unpickles it resolves its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from fsspec import AbstractFileSystem
from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.implementations.chained import ChainedFileSystem
from fsspec.implementations.local import LocalFileSystem
from fsspec.utils import infer_compression

from . import backends
from .backends import Backend, LocalBackend
from .connect_errors import connection_errors_explained, http_errors_explained
from .files import AtomicWriter, ReadFile, TextFile, open_atomic_writer
from .secrets import Resolution, SecretStore, default_store
from .urls import URL, is_url, render_query

__all__ = ["TentaclioFileSystem"]

_PREFIXES = ("tentaclio::", "tentaclio://")
_LOCATION_KEYS = {"host", "port", "username", "password", "url_query", "protocol"}
COPY_CHUNK = 8 * 2**20


@dataclasses.dataclass(frozen=True)
class Target:
    """Where one path lives: the backend instance, its path there, and the URL the user wrote."""

    fs: AbstractFileSystem
    path: str
    backend: Backend
    request: URL | None
    resolution: Resolution | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("a Target holds a backend with credentials and cannot be pickled")

    def explained(self) -> contextlib.AbstractContextManager[None]:
        """Clear errors for what HTTP reports as a missing file or as aiohttp's own error."""
        if self.resolution is None or self.backend.protocol != "http":
            return contextlib.nullcontext()
        return http_errors_explained(self.resolution)

    def url_of(self, path: str) -> str:
        """A path the backend returned, as a URL that resolves to the same credentials."""
        if self.request is None:
            return path
        return self.backend.url_of(self.request, path)


class TentaclioFileSystem(ChainedFileSystem):
    """Credential-injecting access to file, ftp(s), sftp/ssh, s3 and http(s) URLs."""

    protocol = "tentaclio"
    root_marker = ""

    def __init__(
        self,
        target_protocol: str | None = None,
        target_options: dict[str, Any] | None = None,
        fo: str | None = None,
        *,
        store: SecretStore | None = None,
        **kwargs: Any,
    ) -> None:
        options = dict(target_options or {})
        super().__init__(target_protocol=target_protocol, target_options=options, fo=fo)
        inline_password = options.pop("password", None)
        self._store = store
        self._base = _base_url(target_protocol, options, inline_password)
        self._backend_options = {k: v for k, v in options.items() if k not in _LOCATION_KEYS}
        # Top-level kwargs (pandas adds anon=True on a retry, say) are not for the backend:
        # backend options come from the secret and from target_options.
        del kwargs

    @property
    def storage_options(self) -> dict[str, Any]:
        """The options this filesystem is rebuilt from (by pickle), with no inline password."""
        return self._storage_options

    @storage_options.setter
    def storage_options(self, options: dict[str, Any]) -> None:
        # fsspec's metaclass sets this after __init__; an inline password must not reach a
        # pickle, so it is dropped here and the unpickling process resolves its own.
        target_options = dict(options.get("target_options") or {})
        target_options.pop("password", None)
        self._storage_options = {**options, "target_options": target_options}

    @property
    def storage_args(self) -> tuple[Any, ...]:
        """Positional arguments this filesystem is rebuilt from, with no inline password."""
        return self._storage_args

    @storage_args.setter
    def storage_args(self, args: tuple[Any, ...]) -> None:
        self._storage_args = tuple(
            {k: v for k, v in arg.items() if k != "password"} if isinstance(arg, dict) else arg
            for arg in args
        )

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        text = str(path)
        for prefix in _PREFIXES:
            if text.startswith(prefix):
                return text[len(prefix) :]
        return text

    def unstrip_protocol(self, name: str) -> str:
        request = self._request_url(self._strip_protocol(name))
        if request is None:
            return "tentaclio::" + self._strip_protocol(name)
        return "tentaclio::" + request.replace(password=None).render()

    def target(self, path: str) -> Target:
        """Resolve ``path`` to its backend, credentials injected."""
        text = self._strip_protocol(path)
        request = self._request_url(text)
        if request is None or request.scheme in ("file", "local"):
            local = unquote(request.path) if request is not None else text
            return Target(_local_fs(), local or "/", _LOCAL, None)
        backend = backends.backend_for_scheme(request.scheme)
        store = self._store or default_store()
        resolution = store.resolve(request)
        kwargs = backend.kwargs(resolution.url, {**resolution.options, **self._backend_options})
        with connection_errors_explained(resolution):
            fs = backends.filesystem_for(backend, kwargs)
        return Target(fs, backend.path(resolution.url), backend, request, resolution)

    def _request_url(self, text: str) -> URL | None:
        if is_url(text):
            return _file_name_characters_kept(URL.parse(text))
        base = self._base
        if base is None:
            return None
        if base.scheme == "s3":
            bucket, _, key = text.lstrip("/").partition("/")
            return base.replace(host=bucket, path="/" + key if key else "")
        if base.scheme in ("http", "https"):
            return URL.parse(text)
        return base.replace(path=text if text.startswith("/") else "/" + text)

    # -- reading and listing -------------------------------------------------------------

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        target = self.target(path)
        with target.explained():
            entries = target.fs.ls(target.path, detail=detail, **kwargs)
        if not detail:
            return [target.url_of(_full_name(target.path, name)) for name in entries]
        return [_renamed(target, entry) for entry in entries]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        target = self.target(path)
        with target.explained():
            return _renamed(target, target.fs.info(target.path, **kwargs))

    def exists(self, path: str, **kwargs: Any) -> bool:
        target = self.target(path)
        return bool(target.fs.exists(target.path, **kwargs))

    def isdir(self, path: str) -> bool:
        target = self.target(path)
        return bool(target.fs.isdir(target.path))

    def isfile(self, path: str) -> bool:
        target = self.target(path)
        return bool(target.fs.isfile(target.path))

    def size(self, path: str) -> int | None:
        target = self.target(path)
        return target.fs.size(target.path)

    def modified(self, path: str) -> Any:
        target = self.target(path)
        return target.fs.modified(target.path)

    def glob(self, path: str, maxdepth: int | None = None, **kwargs: Any) -> Any:
        target = self.target(path)
        found = target.fs.glob(target.path, maxdepth=maxdepth, **kwargs)
        return _renamed_collection(target, found)

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        target = self.target(path)
        found = target.fs.find(
            target.path, maxdepth=maxdepth, withdirs=withdirs, detail=detail, **kwargs
        )
        return _renamed_collection(target, found)

    def walk(self, path: str, maxdepth: int | None = None, **kwargs: Any) -> Iterator[Any]:
        target = self.target(path)
        for root, dirs, files in target.fs.walk(target.path, maxdepth=maxdepth, **kwargs):
            yield target.url_of(root), dirs, files

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        target = self.target(path)
        return bytes(target.fs.cat_file(target.path, start=start, end=end, **kwargs))

    # -- writing -------------------------------------------------------------------------

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        with self.open(path, "xb" if mode == "create" else "wb") as stream:
            stream.write(value)

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        target = self.target(path)
        target.fs.mkdir(target.path, create_parents=create_parents, **kwargs)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        target = self.target(path)
        target.fs.makedirs(target.path, exist_ok=exist_ok)

    def rmdir(self, path: str) -> None:
        target = self.target(path)
        target.fs.rmdir(target.path)

    def rm_file(self, path: str) -> None:
        target = self.target(path)
        target.fs.rm_file(target.path)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        for one in path if isinstance(path, list) else [path]:
            target = self.target(one)
            target.fs.rm(target.path, recursive=recursive, maxdepth=maxdepth)

    def cp_file(
        self, path1: str, path2: str, callback: Callback = DEFAULT_CALLBACK, **kwargs: Any
    ) -> None:
        """Copy one file: on the server when both ends share a backend that can, else
        streaming in chunks, ``callback`` told of each (fsspec's progress protocol)."""
        source, destination = self.target(path1), self.target(path2)
        if source.fs is destination.fs and source.backend.copies_on_server:
            source.fs.cp_file(source.path, destination.path, **kwargs)
            return
        if source.fs.isdir(source.path):
            # fsspec's recursive copy hands folders to cp_file too
            destination.fs.makedirs(destination.path, exist_ok=True)
            return
        with self.open(path1, "rb") as reader:
            # sshfs's files do not know their size; a known size lets S3 pick parts small
            # enough for flat memory, large enough for its 10,000-part limit
            size = reader.size if reader.size is not None else source.fs.size(source.path)
            with self.open(path2, "wb", expected_size=size) as writer:
                callback.set_size(size)
                while chunk := reader.read(COPY_CHUNK):
                    writer.write(chunk)
                    callback.relative_update(len(chunk))

    def mv(self, path1: str, path2: str, recursive: bool = False, **kwargs: Any) -> None:
        source, destination = self.target(path1), self.target(path2)
        if source.fs is destination.fs:
            source.fs.mv(source.path, destination.path, recursive=recursive, **kwargs)
            return
        self.copy(path1, path2, recursive=recursive)
        self.rm(path1, recursive=recursive)

    # -- opening -------------------------------------------------------------------------

    def open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        cache_options: dict[str, Any] | None = None,
        compression: str | None = None,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Open like built-in ``open``; ``encoding``/``newline`` stay in the text layer."""
        binary_mode = mode if "b" in mode else mode.replace("t", "") + "b"
        stream = self._open_binary(path, binary_mode, block_size, cache_options, **kwargs)
        if compression == "infer":
            compression = infer_compression(self._strip_protocol(path))
        if compression:
            from fsspec.compression import compr

            stream = compr[compression](stream, mode=binary_mode[0])
        if "b" in mode:
            return stream
        text = TextFile(stream, encoding=encoding, errors=errors, newline=newline)
        text.mode = mode  # type: ignore[misc]
        return text

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        return self._open_binary(path, mode, **kwargs)

    def _open_binary(
        self,
        path: str,
        mode: str,
        block_size: int | None = None,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        target = self.target(path)
        kwargs.pop("autocommit", None)
        expected_size = kwargs.pop("expected_size", None)
        if block_size is None:
            block_size = target.backend.block_size(mode, expected_size)
        if block_size is not None:
            kwargs["block_size"] = block_size
        if cache_options is not None:
            kwargs["cache_options"] = cache_options
        if mode in ("r", "rb"):
            with target.explained():
                raw = target.fs.open(target.path, "rb", **kwargs)
            if target.resolution is None:
                return raw  # a local file: nothing secret to keep out of a pickle
            return ReadFile(raw, self, _shown(target), "rb")
        if mode == "xb" and target.fs.exists(target.path):
            raise FileExistsError(target.url_of(target.path))
        if target.backend.has_folders:
            # Like a copy tool, and like S3: writing creates the folders on the way.
            target.fs.makedirs(target.fs._parent(target.path), exist_ok=True)
        if mode in ("wb", "xb"):
            return _atomic_writer(target, mode, **kwargs)
        # Appends cannot be held back; the wrapper still keeps the backend out of pickles.
        raw = target.fs.open(target.path, mode, **kwargs)
        return AtomicWriter(raw, raw.close, raw.close, target.path, mode)

    def __repr__(self) -> str:
        base = "" if self._base is None else f" {self._base}"
        return f"<TentaclioFileSystem{base}>"


def _shown(target: Target) -> str:
    """The URL of a target as it may be shown and pickled: a password written inline is dropped
    (the process that reopens it resolves its own)."""
    request = target.request
    return target.path if request is None else request.replace(password=None).render()


def _atomic_writer(target: Target, mode: str, **kwargs: Any) -> AtomicWriter:
    transactional = not target.backend.renames_into_place
    return open_atomic_writer(target.fs, target.path, mode, transactional, **kwargs)


def _file_name_characters_kept(url: URL) -> URL:
    """Outside HTTP, ``#`` and a ``?`` followed by no ``name=value`` belong to the path.

    Remote file names and glob patterns (``fil?1``) use them; a query of options always has
    ``name=value`` pairs.
    """
    if url.scheme in ("http", "https"):
        return url
    path = url.path
    query = url.query
    if query and all(value is None for _, value in query):
        path += "?" + render_query(query)
        query = ()
    if url.fragment is not None:
        path += "#" + url.fragment
    if path == url.path:
        return url
    return url.replace(path=path, query=query, fragment=None)


def _base_url(protocol: str | None, options: dict[str, Any], password: str | None) -> URL | None:
    """The URL that a chained layer's stripped paths are relative to."""
    if protocol in (None, "file", "local"):
        return None
    username = options.get("username")
    return URL(
        scheme=protocol,
        host=str(options.get("host", "")),
        port=int(options["port"]) if options.get("port") else None,
        # fsspec leaves both percent-encoded (its issue 1871): decode them exactly once.
        username=unquote(username) if username is not None else None,
        password=unquote(password) if password is not None else None,
    )


def _local_fs() -> AbstractFileSystem:
    # Writing creates parent folders on every backend: locally too. Kept here, since a local
    # open is so cheap that the shared backend cache would double its cost.
    global _local_instance
    if _local_instance is None:
        _local_instance = LocalFileSystem(auto_mkdir=True)
    return _local_instance


_local_instance: AbstractFileSystem | None = None
_LOCAL = LocalBackend()


def _full_name(parent: str, name: str) -> str:
    """FTP's ``ls(detail=False)`` returns bare names where every other backend gives paths."""
    return name if "/" in name else parent.rstrip("/") + "/" + name


def _renamed(target: Target, entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "name": target.url_of(entry["name"])}


def _renamed_collection(target: Target, found: Any) -> Any:
    if isinstance(found, dict):
        return {target.url_of(name): _renamed(target, info) for name, info in found.items()}
    return [target.url_of(name) for name in found]
