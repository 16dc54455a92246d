"""Hashable stand-ins for nested option values (dicts, lists), for comparing and caching.

Secrets are compared by their options, and backends are cached by their constructor
arguments; both hold dicts and lists, which cannot be dictionary keys as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["frozen"]


def frozen(value: Any) -> Any:
    """``value`` with every mapping, list, tuple and set turned into a hashable tuple.

    The container's type is kept, so ``[1]`` and ``(1,)`` stay different (sshfs treats a
    ``known_hosts`` of ``()`` and ``[]`` differently); anything else unhashable is keyed by its
    ``repr``, which stays in memory and is never shown.
    """
    if isinstance(value, Mapping):
        return ("mapping", *sorted((str(k), frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = [frozen(item) for item in value]
        if isinstance(value, set | frozenset):
            items.sort(key=repr)
        return (type(value).__name__, *items)
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return value
