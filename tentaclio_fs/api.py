"""The convenience calls: ``open`` like built-in ``open``, and os-like listing and copying.

Each takes a URL string, a :class:`~tentaclio_fs.urls.URL` or a plain local path, and returns
URLs that can be passed back to any call. They all go through one :class:`TentaclioFileSystem`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import IO, Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback

from .secrets import default_store
from .spec import TentaclioFileSystem
from .urls import URL

__all__ = [
    "DirEntry",
    "authenticate",
    "copy",
    "exists",
    "glob",
    "listdir",
    "open",
    "remove",
    "scandir",
    "walk",
]

UrlLike = str | URL | os.PathLike[str]


@dataclasses.dataclass(frozen=True)
class DirEntry:
    """One entry of :func:`scandir`."""

    url: str
    name: str
    is_dir: bool
    is_file: bool
    size: int | None


_filesystem_instance: TentaclioFileSystem | None = None


def _filesystem() -> TentaclioFileSystem:
    # One instance serves every URL; keeping it here skips fsspec's cache lookup, which hashes
    # its arguments on each call (a tenth of the cost of opening a small local file).
    global _filesystem_instance
    if _filesystem_instance is None:
        _filesystem_instance = TentaclioFileSystem()
    return _filesystem_instance


def _text(url: UrlLike) -> str:
    # str() of a URL hides its password: serialise explicitly, so that credentials written
    # inline keep working when passed back.
    if isinstance(url, URL):
        return url.render(hide_password=False)
    return os.fspath(url)


def open(  # noqa: A001 - the point is to read like built-in open
    url: UrlLike,
    mode: str = "r",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    errors: str | None = None,
    compression: str | None = "infer",
    **options: Any,
) -> IO[Any]:
    """Open a URL or local path for reading or writing, credentials injected.

    Modes r, rb, w, wb, x, xb, and a, ab where the backend can. A write replaces the target
    only when the file is closed without an exception. ``options`` go to the backend's
    ``open`` (``block_size``, say).
    """
    return _filesystem().open(
        _text(url),
        mode,
        compression=compression,
        encoding=encoding,
        errors=errors,
        newline=newline,
        **options,
    )


def authenticate(url: UrlLike) -> URL:
    """``url`` with the matching secret's credentials; ``str()`` of it hides the password."""
    return default_store().resolve(URL.parse(_text(url))).url


def listdir(url: UrlLike) -> list[str]:
    """The URLs of the entries of a folder."""
    return _filesystem().ls(_text(url), detail=False)


def scandir(url: UrlLike) -> Iterator[DirEntry]:
    """The entries of a folder, with their type and size."""
    for info in _filesystem().ls(_text(url), detail=True):
        name = info["name"].rstrip("/")
        kind = info.get("type")
        yield DirEntry(
            url=info["name"],
            name=name.rpartition("/")[2],
            is_dir=kind == "directory",
            is_file=kind == "file",
            size=info.get("size"),
        )


def walk(url: UrlLike) -> Iterator[tuple[str, list[str], list[str]]]:
    """Like ``os.walk``: (folder URL, sub-folder names, file names), top down."""
    yield from _filesystem().walk(_text(url))


def glob(pattern: UrlLike) -> list[str]:
    """The URLs matching a glob pattern (``*``, ``**``, ``?``, ``[ab]``)."""
    return _filesystem().glob(_text(pattern))


def exists(url: UrlLike) -> bool:
    """Whether the URL names an existing file or folder."""
    return _filesystem().exists(_text(url))


def remove(url: UrlLike, recursive: bool = False) -> None:
    """Remove a file, or a folder and everything in it with ``recursive=True``."""
    _filesystem().rm(_text(url), recursive=recursive)


def copy(source: UrlLike, destination: UrlLike, *, callback: Callback = DEFAULT_CALLBACK) -> None:
    """Copy one file, streaming; server-side when both ends are on one backend that can.

    ``callback`` is an fsspec progress callback (``fsspec.callbacks.TqdmCallback``, say).
    """
    _filesystem().cp_file(_text(source), _text(destination), callback=callback)
