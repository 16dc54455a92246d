"""What the command line prints: URLs with their password hidden, and plain-text tables.

Every URL the command echoes goes through :func:`shown`, because a URL the user typed (or one a
listing hands back) may carry an inline password.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .errors import URLError
from .urls import URL, is_url

__all__ = ["cell", "naming_missing", "shown", "table"]


def shown(text: str) -> str:
    """``text`` as safe to print: a URL with its password masked, a local path unchanged."""
    if not is_url(text):
        return text
    try:
        return str(URL.parse(text))
    except URLError:
        # Unparseable, so the password cannot be located: show only the scheme.
        return text.partition("://")[0] + "://<unparseable URL>"


@contextlib.contextmanager
def naming_missing(url: str) -> Iterator[None]:
    """Name ``url`` in a "no such file" error: some backends (SFTP) raise it with no name."""
    try:
        yield
    except FileNotFoundError as error:
        if error.filename:
            raise
        raise FileNotFoundError(errno.ENOENT, "No such file or folder", shown(url)) from error


def cell(value: Any) -> str:
    """One value as a table cell: NULL as empty, times in UTC to the second."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def table(headers: Sequence[str] | None, rows: Iterable[Sequence[Any]]) -> list[str]:
    """Lines of a left-aligned table (numbers right-aligned), columns two spaces apart."""
    cells = [[cell(value) for value in row] for row in rows]
    numeric = _numeric_columns(cells)
    body = ([list(headers)] if headers else []) + cells
    if not body:
        return []
    widths = [max(len(row[i]) for row in body) for i in range(len(body[0]))]
    lines = [_line(row, widths, numeric) for row in body]
    if headers:
        lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _numeric_columns(rows: list[list[str]]) -> set[int]:
    """Columns holding only numbers (and empty cells): right-aligned, as people read them."""
    if not rows:
        return set()
    return {
        i
        for i in range(len(rows[0]))
        if all(_is_number(row[i]) or not row[i] for row in rows) and any(row[i] for row in rows)
    }


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _line(row: Sequence[str], widths: Sequence[int], numeric: set[int]) -> str:
    parts = [
        value.rjust(width) if i in numeric else value.ljust(width)
        for i, (value, width) in enumerate(zip(row, widths, strict=True))
    ]
    return "  ".join(parts).rstrip()
