"""tentaclio_fs: open URLs without secrets; credentials are injected from where they are kept.

``import tentaclio_fs as tio``; then ``tio.open(url)``, ``tio.copy(a, b)``, ``tio.db(url)``.
The same URLs work in fsspec, pandas and Dask with the ``tentaclio::`` prefix.

The names below are imported on first use, so ``import tentaclio_fs`` costs almost nothing
(fsspec, YAML and SQLAlchemy load when a call needs them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from .database import db
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

# Where each public name lives. ``db`` lives in ``database`` so that importing the module never
# replaces the function ``tio.db`` with a module of the same name.
_HOMES = {
    "URL": "urls",
    "TentaclioError": "errors",
    "db": "database",
    **{
        name: "api"
        for name in (
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
        )
    },
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tentaclio_fs' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
