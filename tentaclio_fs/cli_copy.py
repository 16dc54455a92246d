"""``tentaclio-fs cp``: any backend to any backend, streaming, with a progress bar on a terminal.

Every copy is :func:`tentaclio_fs.copy` (server-side when both ends share a backend that can,
else streaming 8 MiB chunks), with a tqdm bar as its progress callback on a terminal. Memory
stays flat and the writer is atomic: a failed copy leaves the target as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from . import api
from .cli_output import naming_missing, shown
from .spec import TentaclioFileSystem

__all__ = ["cp"]

# A bar appears only once a copy has run this long: short copies stay silent.
PROGRESS_DELAY_SECONDS = 0.5


@click.command()
@click.argument("source")
@click.argument("destination")
@click.option("-r", "--recursive", is_flag=True, help="Copy a folder and everything in it.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force the progress bar on or off (default: on when stderr is a terminal).",
)
def cp(source: str, destination: str, recursive: bool, progress: bool | None) -> None:
    """Copy SOURCE to DESTINATION, streaming, across any two backends.

    Copying into a folder (a DESTINATION ending in /, or an existing folder) keeps the
    source's name. With -r, every file under SOURCE goes to the same relative path under
    DESTINATION.
    """
    show = sys.stderr.isatty() if progress is None else progress
    if recursive:
        pairs = list(_tree(source, destination))
        if not pairs:
            raise FileNotFoundError(f"no files under {shown(source)}")
    else:
        pairs = [(source, _file_destination(source, destination))]
    for one_source, one_destination in pairs:
        with naming_missing(one_source):  # the usual culprit: the writer makes its folders
            copy_file(one_source, one_destination, show)


def copy_file(source: str, destination: str, progress: bool) -> None:
    """Copy one file; with ``progress``, count the bytes on a tqdm bar."""
    if not progress:
        api.copy(source, destination)
        return
    from fsspec.callbacks import TqdmCallback

    bar = TqdmCallback(
        tqdm_kwargs={
            "unit": "B",
            "unit_scale": True,
            "unit_divisor": 1024,
            "desc": _name(shown(source)),
            "delay": PROGRESS_DELAY_SECONDS,
            "leave": False,
            "file": sys.stderr,
        }
    )
    try:
        api.copy(source, destination, callback=bar)
    finally:
        bar.close()


def _tree(source: str, destination: str) -> Iterator[tuple[str, str]]:
    """(source file, destination file) for every file under ``source``, by relative path."""
    top: str | None = None
    for folder, _dirs, files in api.walk(source):
        top = folder if top is None else top
        relative = folder[len(top) :].strip("/")
        for name in files:
            parts = [destination.rstrip("/"), relative, name]
            yield folder.rstrip("/") + "/" + name, "/".join(part for part in parts if part)


def _file_destination(source: str, destination: str) -> str:
    """Like cp: copying into a folder (an existing one, or one written with a final /)
    keeps the source's name."""
    if destination.endswith("/") or TentaclioFileSystem().isdir(destination):
        return destination.rstrip("/") + "/" + _name(source)
    return destination


def _name(url: str) -> str:
    return url.rstrip("/").rpartition("/")[2]
