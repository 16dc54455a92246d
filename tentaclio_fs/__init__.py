"""tentaclio_fs: open URLs without secrets; credentials are injected from where they are kept.

``import tentaclio_fs as tio``; then ``tio.open(url)``, ``tio.copy(a, b)``, ``tio.db(url)``.
The same URLs work in fsspec, pandas and Dask with the ``tentaclio::`` prefix.
"""

from __future__ import annotations

from typing import Any

from .api import (
    DirEntry,
    authenticate,
    copy,
    exists,
    glob,
    listdir,
    open,
    remove,
    scandir,
    walk,
)
from .errors import TentaclioError
from .urls import URL

__all__ = [
    "URL",
    "DirEntry",
    "TentaclioError",
    "authenticate",
    "copy",
    "db",
    "exists",
    "glob",
    "listdir",
    "open",
    "remove",
    "scandir",
    "walk",
]


def __getattr__(name: str) -> Any:
    # SQLAlchemy is imported only by a program that uses databases.
    if name == "db":
        from .database import db

        return db
    raise AttributeError(f"module 'tentaclio_fs' has no attribute {name!r}")
